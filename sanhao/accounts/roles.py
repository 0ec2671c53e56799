"""The one place that says whether an account acts as the campaign office.

`User.is_office` is the rule (an active account of the office role); this is its form
for code that may be handed None or an anonymous user: the services' `actor`, the
views' access checks and the idle timeout all ask here.
"""

from __future__ import annotations

from typing import Any


def is_office(user: Any) -> bool:
    """True for an active office account; False for anyone else, anonymous or None."""
    return bool(user is not None and getattr(user, "is_office", False))
