"""Who may read the status page and run the audit check: the office only (others 403)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from sanhao.accounts.roles import is_office


def require_ops_office(user: Any) -> None:
    if not is_office(user):
        raise PermissionDenied
