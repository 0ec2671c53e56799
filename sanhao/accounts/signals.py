"""Sign-in and sign-out keep UserSession, the list of each account's sessions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from sanhao.accounts.models import UserSession
from sanhao.accounts.services import session_model


@receiver(user_logged_in)
def remember_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if not key or user is None or not user.pk:
        return
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
    # Rows of sessions that expired or were cleared since: the account's own few only.
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    alive = set(
        session_model()
        .objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        .values_list("session_key", flat=True)
    )
    UserSession.objects.filter(session_key__in=set(keys) - alive).delete()


@receiver(user_logged_out)
def forget_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()
