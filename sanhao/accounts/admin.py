from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanhao.accounts.models import User
from sanhao.audit.admin_mixins import AuditedAdmin
from sanhao.audit.services import record

# Roles are the accounts' `role`; Django's groups are not used, and an unaudited admin
# page must not exist.
admin.site.unregister(Group)
# Authenticator keys are set up and removed on the accounts' own pages, which audit it.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "unit", "is_active", "is_demo"]
    list_filter = ["role", "is_active", "is_demo"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role"), {"fields": ("role", "unit", "is_demo")}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        (_("Role"), {"fields": ("role", "unit")}),
    )
    # Never "password", "password1", "password2": a password is named, not recorded.
    audit_fields = (
        "username", "first_name", "last_name", "email", "role", "unit", "is_demo",
        "is_active", "is_staff", "is_superuser", "groups", "user_permissions",
        "last_login", "date_joined",
    )  # fmt: skip

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> HttpResponse:
        """The admin's form for another account's password: the change and its entry (which
        names no password) are saved together or not at all."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, id)
                record("admin.user.password", actor=request.user, obj=user, data={})
        return response
