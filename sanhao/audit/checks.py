"""System check: every audited admin says which fields the log keeps, none a secret."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core import checks

from sanhao.audit.admin_mixins import AuditedAdmin
from sanhao.audit.services import SECRET_KEY_PATTERN


@checks.register(checks.Tags.security)
def audited_admins_declare_their_fields(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, AuditedAdmin):
            continue
        name = type(model_admin).__name__
        if not model_admin.audit_fields:
            problems.append(
                checks.Error(f"{name} declares no audit_fields", obj=model, id="sanhao.A001")
            )
        for field in model_admin.audit_fields:
            if SECRET_KEY_PATTERN.search(field):
                problems.append(
                    checks.Error(
                        f"{name}.audit_fields names a secret: {field}", obj=model, id="sanhao.A002"
                    )
                )
    return problems
