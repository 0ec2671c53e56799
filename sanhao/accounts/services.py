"""Every write to an account: created, its password changed or reset, deactivated and
reactivated, its two-factor sign-in turned on and off. Each one is atomic and audited;
no password, secret or code ever reaches the audit data."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanhao.accounts.models import AccountRole, User, UserSession
from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit

# Letters and digits a clerk cannot misread when reading a password out: no 0/O, 1/l/I.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 12


def session_model() -> type[AbstractBaseSession]:
    from sanhao.accounts.sessions import SessionStore

    return SessionStore.get_model_class()


def generate_password(user: User | None = None) -> str:
    """A random password of 12 characters (about 69 bits) that the validators accept."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_LENGTH))
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Signs the account out everywhere (but in the session `keep`): its sessions are
    found through UserSession by key, never by reading every session. Their number."""
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    keys.discard(keep or "")
    if not keys:
        return 0
    session_model().objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def create_account(
    *,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    is_demo: bool = False,
    must_change_password: bool = False,
    actor: Any,
) -> User:
    if User.objects.filter(username=username).exists():
        raise DomainError(_("The account %(name)s already exists.") % {"name": username})
    if (role == AccountRole.LIAISON) != (unit is not None):
        raise DomainError(_("A liaison account needs exactly one unit; other accounts none."))
    user = User(
        username=username,
        role=role,
        unit=unit,
        first_name=full_name,
        is_demo=is_demo,
        must_change_password=must_change_password,
        # The office manages data in the Django admin too.
        is_staff=role == AccountRole.OFFICE,
        is_superuser=role == AccountRole.OFFICE,
    )
    user.set_password(password)
    user.save()
    record(
        "accounts.user.create",
        actor=actor,
        obj=user,
        data={"username": username, "role": role, "unit": unit.code if unit else None},
    )
    return user


@transaction.atomic
def change_password(user: User, password: str, *, keep: str | None, actor: Any) -> User:
    """The account's own new password (the form has checked the old one and the
    validators): its other sessions end, the session `keep` stays."""
    if actor is None or actor.pk != user.pk:
        raise DomainError(_("Only the account itself can change its password here."))
    forced = user.must_change_password
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    ended = end_sessions(user, keep=keep)
    record("accounts.user.change_password", actor=actor, obj=user,
           data={"was_required": forced, "signed_out": ended})  # fmt: skip
    return user


@transaction.atomic
def reset_password(user: User, *, password: str = "", actor: Any) -> str:
    """The office gives the account a password (the one typed, or a generated one),
    which it must change at its next sign-in; every session of the account ends.
    Returns the password, to be shown to the office once."""
    require_office_actor(actor)
    if actor.pk == user.pk:
        raise DomainError(_("Change your own password on your account page."))
    generated = not password
    if generated:
        password = generate_password(user)
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from None
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    ended = end_sessions(user)
    record("accounts.user.reset_password", actor=actor, obj=user,
           data={"generated": generated, "signed_out": ended})  # fmt: skip
    return password


@transaction.atomic
def deactivate_account(user: User, *, actor: Any) -> int:
    """The account can no longer sign in, and every session of it ends at once.
    The last active office account is never deactivated. Returns the sessions ended."""
    require_office_actor(actor)
    if not user.is_active:
        raise DomainError(_("The account %(name)s is already deactivated.") % {"name": user})
    # Locked, so that two offices deactivating each other cannot both succeed.
    offices = list(
        User.objects.select_for_update()
        .filter(role=AccountRole.OFFICE, is_active=True)
        .values_list("pk", flat=True)
    )
    if user.role == AccountRole.OFFICE and set(offices) <= {user.pk}:
        raise DomainError(_("This is the last active office account: it cannot be deactivated."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions(user)
    record("accounts.user.deactivate", actor=actor, obj=user, data={"signed_out": ended})
    return ended


@transaction.atomic
def reactivate_account(user: User, *, actor: Any) -> User:
    require_office_actor(actor)
    if user.is_active:
        raise DomainError(_("The account %(name)s is already active.") % {"name": user})
    user.is_active = True
    user.save(update_fields=["is_active"])
    record("accounts.user.reactivate", actor=actor, obj=user, data={})
    return user


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def start_two_factor(user: User, *, actor: Any) -> TOTPDevice:
    """A new authenticator key for the office account, not yet in use: it counts once
    the account has entered a code from it (confirm_two_factor)."""
    require_office_actor(actor)
    if actor.pk != user.pk:
        raise DomainError(_("Only the account itself can set up its two-factor sign-in."))
    if confirmed_device(user) is not None:
        raise DomainError(_("Two-factor sign-in is already on."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=_("authenticator app"), confirmed=False)
    record("accounts.two_factor.start", actor=actor, obj=user, data={})
    return device


def confirm_two_factor(user: User, code: str, *, keep: str | None, actor: Any) -> TOTPDevice:
    """The first right code turns two-factor sign-in on; the account's other sessions,
    signed in with the password only, end. A wrong code counts towards the device's
    throttling (kept: the refusal is raised after the transaction)."""
    require_office_actor(actor)
    with transaction.atomic():
        device = pending_device(user)
        if device is None or actor.pk != user.pk:
            raise DomainError(_("Start the set-up again."))
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            raise DomainError(_("Too many wrong codes: wait a moment and try again."))
        verified = device.verify_token(code)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            ended = end_sessions(user, keep=keep)
            record("accounts.two_factor.enable", actor=actor, obj=user,
                   data={"signed_out": ended})  # fmt: skip
    if not verified:
        raise DomainError(_("The code is wrong or has expired: enter the code shown now."))
    return device


@transaction.atomic
def disable_two_factor(user: User, *, actor: Any) -> None:
    """Two-factor sign-in off (a lost phone): the account signs in with its password
    alone until it sets up a new authenticator."""
    require_office_actor(actor)
    removed, _kinds = TOTPDevice.objects.filter(user=user).delete()
    if not removed:
        raise DomainError(_("Two-factor sign-in is not on for %(name)s.") % {"name": user})
    record("accounts.two_factor.disable", actor=actor, obj=user, data={})
