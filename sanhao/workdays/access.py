"""Who may read and enter the working-day calendar: the office only (others get 403)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from sanhao.accounts.roles import is_office


def require_calendar_office(user: Any) -> None:
    if not is_office(user):
        raise PermissionDenied
