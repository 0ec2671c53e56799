from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from sanhao.accounts.models import User
from sanhao.audit.admin_mixins import AuditedAdmin


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
