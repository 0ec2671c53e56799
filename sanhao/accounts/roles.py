"""The one place that says whether an account acts as the campaign office."""

from __future__ import annotations

from typing import Any


def is_office(user: Any) -> bool:
    """True for an active office account; False for anyone else, anonymous or None."""
    return bool(user is not None and getattr(user, "is_office", False))
