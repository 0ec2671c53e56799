"""The admin site, with its own password change recorded like every other write."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import transaction
from django.template.response import TemplateResponse


class SanhaoAdminSite(admin.AdminSite):
    site_header = "三好创争 · 管理后台"
    site_title = "三好创争"

    def password_change(self, request: Any, extra_context: Any = None) -> TemplateResponse:
        """The signed-in account changes its own password: the change and its entry
        (which names no password) are saved together or not at all."""
        from sanhao.audit.services import record  # the app registry loads this module

        with transaction.atomic():
            response = super().password_change(request, extra_context)
            if request.method == "POST" and response.status_code == 302:
                record("admin.user.password", actor=request.user, obj=request.user, data={})
        return response


class SanhaoAdminConfig(AdminConfig):
    """Django's admin on that site: INSTALLED_APPS names this class instead of
    django.contrib.admin."""

    default_site = "sanhao.accounts.admin_site.SanhaoAdminSite"
