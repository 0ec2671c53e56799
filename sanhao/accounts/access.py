"""Who may manage accounts: the office only (others get 403). Views fetch an account
only here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanhao.accounts.models import User
from sanhao.accounts.roles import is_office


def require_account_office(user: Any) -> None:
    if not is_office(user):
        raise PermissionDenied


def get_account_for_office(user: Any, pk: int) -> User:
    require_account_office(user)
    try:
        return User.objects.select_related("unit").get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None
