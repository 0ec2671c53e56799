"""Signing in (with the code of an authenticator app as a second step when the account
has one), the account's own password and two-factor set-up, and the office's pages of
accounts. Thin: access → form → service → render or redirect."""

from __future__ import annotations

import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanhao.accounts import access, services
from sanhao.accounts.forms import (
    AccountForm,
    CodeForm,
    LoginForm,
    OwnPasswordForm,
    ResetPasswordForm,
)
from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.models import User
from sanhao.lib.errors import DomainError

# The session's note of a password accepted while the code is still to come.
PENDING_LOGIN = "_pending_login"
ACCOUNTS_PER_PAGE = 100


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        """The password is right. An account with two-factor sign-in is not signed in
        yet: the session notes who it will be, and the code is asked for next."""
        user = form.get_user()
        if services.confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_LOGIN] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_verify")


class LogoutView(auth_views.LogoutView):
    pass


@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the 6-digit code. Wrong codes make the device wait
    longer each time (django-otp's throttling); the account is signed in only now."""
    pending = request.session.get(PENDING_LOGIN)
    user, device = None, None
    if isinstance(pending, dict) and time.time() - pending["at"] <= settings.LOGIN_CODE_SECONDS:
        user = User.objects.filter(pk=int(pending["user"]), is_active=True).first()
        device = services.confirmed_device(user) if user is not None else None
    if user is None or device is None or not isinstance(pending, dict):
        request.session.pop(PENDING_LOGIN, None)
        messages.info(request, _("Enter your account name and password again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error(None, _("Too many wrong codes: wait a moment and try again."))
        elif verify_token(user, device.persistent_id, form.cleaned_data["code"]) is not None:
            del request.session[PENDING_LOGIN]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        else:
            form.add_error("code", _("The code is wrong or has expired: enter the code shown now."))
    return render(request, "accounts/login_verify.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in account's own password: its other sessions end, this one stays."""
    user = request.user
    form = OwnPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(user, form.cleaned_data["new_password1"],
                                 keep=request.session.session_key, actor=user)  # fmt: skip
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed. Other devices are signed out."))
        return redirect("home")
    two_factor = services.confirmed_device(user) is not None if user.is_office else None
    return render(request, "accounts/password_change.html",
                  {"form": form, "forced": user.must_change_password,
                   "two_factor": two_factor})  # fmt: skip


def _secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it typed in: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """An office account turns on two-factor sign-in: a new key (QR code and text),
    confirmed by a code from the app before it counts."""
    access.require_account_office(request.user)
    user = request.user
    form = CodeForm()
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "start":
            services.start_two_factor(user, actor=user)
            return redirect("accounts:two_factor")
        if action == "confirm":
            form = CodeForm(request.POST)
            if form.is_valid():
                confirmed = services.confirm_two_factor(user, form.cleaned_data["code"],
                                                        keep=request.session.session_key,
                                                        actor=user)  # fmt: skip
                otp_login(request, confirmed)
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("accounts:two_factor")
        if action == "off":
            services.disable_two_factor(user, actor=user)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:two_factor")
    except DomainError as error:
        form.add_error(None, error.message)
    device = services.confirmed_device(user)
    pending = None if device else services.pending_device(user)
    context: dict[str, Any] = {"device": device, "pending": pending, "form": form}
    if pending is not None:
        context["qr"] = segno.make(pending.config_url, error="m").svg_data_uri(scale=5)
        context["secret"] = _secret_text(pending)
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET"])
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    access.require_account_office(request.user)
    has_device = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    accounts = (
        User.objects.select_related("unit")
        .annotate(two_factor=Exists(has_device))
        .order_by("-is_active", "role", "username")
    )
    page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page})


def _show_password_once(request: HttpRequest, account: User, password: str) -> HttpResponse:
    """The page that shows a password to the office, once: never stored, and never
    cached (its views are never_cache)."""
    return render(request, "accounts/password_shown.html",
                  {"account": account, "password": password})  # fmt: skip


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    access.require_account_office(request.user)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or services.generate_password()
        try:
            account = services.create_account(
                username=data["username"], password=password, role=data["role"],
                unit=data["unit"], full_name=data["full_name"], must_change_password=True,
                actor=request.user,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if not data["password"]:
                return _show_password_once(request, account, password)
            messages.success(request, _("The account %(name)s was created.") % {"name": account})
            return redirect("accounts:user_detail", user_pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def user_detail(request: AuthenticatedRequest, user_pk: int) -> HttpResponse:
    account = access.get_account_for_office(request.user, user_pk)
    return render(request, "accounts/user_detail.html",
                  {"account": account, "two_factor": services.confirmed_device(account),
                   "reset_form": ResetPasswordForm()})  # fmt: skip


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_reset(request: AuthenticatedRequest, user_pk: int) -> HttpResponse:
    """The office resets a password: the one typed or a generated one, shown once; the
    account must change it at its next sign-in, and is signed out everywhere now."""
    account = access.get_account_for_office(request.user, user_pk)
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password = services.reset_password(account, password=form.cleaned_data["password"],
                                               actor=request.user)  # fmt: skip
        except DomainError as error:
            form.add_error("password", error.message)
        else:
            return _show_password_once(request, account, password)
    return render(request, "accounts/user_detail.html",
                  {"account": account, "two_factor": services.confirmed_device(account),
                   "reset_form": form})  # fmt: skip


def _account_action(
    request: AuthenticatedRequest, user_pk: int, act: Any, done: str
) -> HttpResponse:
    account = access.get_account_for_office(request.user, user_pk)
    try:
        act(account, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"name": account})
    return redirect("accounts:user_detail", user_pk=account.pk)


@login_required
@require_POST
def user_deactivate(request: AuthenticatedRequest, user_pk: int) -> HttpResponse:
    return _account_action(request, user_pk, services.deactivate_account,
                           _("The account %(name)s is deactivated and signed out everywhere."))  # fmt: skip


@login_required
@require_POST
def user_reactivate(request: AuthenticatedRequest, user_pk: int) -> HttpResponse:
    return _account_action(request, user_pk, services.reactivate_account,
                           _("The account %(name)s can sign in again."))  # fmt: skip


@login_required
@require_POST
def user_two_factor_off(request: AuthenticatedRequest, user_pk: int) -> HttpResponse:
    return _account_action(request, user_pk, services.disable_two_factor,
                           _("Two-factor sign-in of %(name)s is off: it signs in with its "
                             "password until it sets up a new authenticator."))  # fmt: skip
