from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanhao.accounts.models import AccountRole, User
from sanhao.lib.net import throttle_address
from sanhao.orgs.models import Unit


def account_under_attack(username: str) -> bool:
    """The account failed ACCOUNT_FAILURE_LIMIT times, all addresses together, within
    the cool-off."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(minutes=settings.AXES_COOLOFF_TIME * 60)
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return (failures or 0) >= settings.ACCOUNT_FAILURE_LIMIT


def known_address(username: str, address: str) -> bool:
    """The account signed in successfully from this address in the last KNOWN_ADDRESS_DAYS."""
    from axes.models import AccessLog

    since = timezone.now() - timedelta(days=settings.KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=since
    ).exists()


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong account name or password. After 5 failures the account is locked for 15 minutes."
        ),
        "inactive": _("This account is disabled."),
        "under_attack": _(
            "This account has failed to sign in too often from many addresses. For now it "
            "signs in only from a computer it signed in from before; otherwise ask the "
            "campaign office."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("account")
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
        self.fields["password"].label = _("password")

    def clean(self):
        # Guessing one account's password from many addresses: each address stays under
        # its own lock, so the account as a whole is limited too, except from the
        # addresses its owner uses (docs/operations.md, Accounts).
        username = self.cleaned_data.get("username")
        if (
            username
            and settings.AXES_ENABLED
            and self.request is not None
            and account_under_attack(username)
            and not known_address(username, throttle_address(self.request))
        ):
            raise ValidationError(self.error_messages["under_attack"], code="under_attack")
        return super().clean()


class CodeForm(forms.Form):
    """The six digits of an authenticator app."""

    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label=_("6-digit code"),
        error_messages={"invalid": _("Enter the 6 digits shown in the authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "8",
                   "autofocus": True}
        ),
    )  # fmt: skip

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class OwnPasswordForm(PasswordChangeForm):
    """Django's own form (the old password, the new one twice, the validators)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("current password")
        self.fields["new_password1"].label = _("new password")
        self.fields["new_password2"].label = _("new password again")
        self.fields["new_password1"].help_text = _(
            "At least 8 characters, not only digits, not a common password, not like the "
            "account name."
        )


class ResetPasswordForm(forms.Form):
    password = forms.CharField(
        required=False,
        max_length=128,
        strip=False,
        label=_("temporary password (leave empty to generate one)"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AccountForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[A-Za-z0-9_.@+-]{2,150}$",
        label=_("account name"),
        help_text=_("Latin letters, digits and . @ + - _ ; used to sign in."),
        error_messages={"invalid": _("Use Latin letters, digits and . @ + - _ only.")},
    )
    full_name = forms.CharField(
        max_length=150, required=False, label=pgettext_lazy("account holder", "name")
    )
    role = forms.ChoiceField(choices=AccountRole.choices, label=_("role"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.order_by("order", "name"),
        required=False,
        label=_("unit"),
        help_text=_("Only for a unit liaison."),
    )
    password = forms.CharField(
        required=False,
        max_length=128,
        strip=False,
        label=_("first password (leave empty to generate one)"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("role") == AccountRole.LIAISON) != (data.get("unit") is not None):
            raise ValidationError(
                _("A liaison account needs exactly one unit; other accounts none.")
            )
        if data.get("password"):
            try:
                validate_password(data["password"], User(username=data.get("username", "")))
            except ValidationError as error:
                self.add_error("password", error)
        return data
