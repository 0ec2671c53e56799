"""Admin pages write through Django's forms, not the services: this records them too.

Only the fields an admin declares in `audit_fields` are written to the log, with their
new values; any other changed field is named, without its value. A form's password
fields therefore never reach the log (a system check refuses an audit field that
names a secret, and `record` refuses such a key).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin

from sanhao.audit.services import record


class AuditedAdmin(admin.ModelAdmin):
    """Every save in the admin leaves an audit entry `admin.<model>.add|change`; no deletes."""

    #: The form fields whose new values the audit log keeps. Declared per admin.
    audit_fields: ClassVar[tuple[str, ...]] = ()

    def audit_data(self, form: Any) -> dict[str, Any]:
        recorded = {
            name: form.cleaned_data.get(name)
            for name in form.changed_data
            if name in self.audit_fields
        }
        others = sorted(name for name in form.changed_data if name not in self.audit_fields)
        data: dict[str, Any] = {"fields": recorded}
        if others:
            data["also_changed"] = others
        return data

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = "change" if change else "add"
        record(
            f"admin.{obj._meta.model_name}.{verb}",
            actor=request.user,
            obj=obj,
            data=self.audit_data(form),
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
