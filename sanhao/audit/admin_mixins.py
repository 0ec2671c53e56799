"""Admin pages write through Django's forms, not the services: this records them too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from sanhao.audit.services import record


class AuditedAdmin(admin.ModelAdmin):
    """Every save in the admin leaves an audit entry `admin.<model>.add|change`; no deletes."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        fields = {name: form.cleaned_data.get(name) for name in form.changed_data}
        verb = "change" if change else "add"
        record(f"admin.{obj._meta.model_name}.{verb}", actor=request.user, obj=obj, data=fields)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
