"""The admin site, with its own password change recorded like every other write."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse


class SanhaoAdminSite(admin.AdminSite):
    site_header = "三好创争 · 管理后台"
    site_title = "三好创争"

    def login(self, request: Any, extra_context: Any = None) -> HttpResponse:
        """The site's own sign-in, never the admin's: it asks for the two-factor code
        and keeps the throttling's rules. A signed-in account that is not the office
        is refused here rather than sent round to sign in again."""
        from django.contrib.auth.views import redirect_to_login  # needs the app registry

        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return HttpResponseRedirect(reverse("admin:index"))
        return redirect_to_login(target, reverse("accounts:login"))

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
