from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanhao.lib.net import throttle_address


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
