"""The one place that says whether an account acts as the campaign office.

`User.is_office` is the rule (an active account of the office role); this is its form
for code that may be handed None or an anonymous user: the services' `actor`, the
views' access checks and the idle timeout all ask here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sanhao.lib.errors import DomainError


def is_office(user: Any) -> bool:
    """True for an active office account; False for anyone else, anonymous or None."""
    return bool(user is not None and getattr(user, "is_office", False))


def require_office_actor(actor: Any) -> None:
    """The services' check: a write only the office may do (DomainError otherwise)."""
    if not is_office(actor):
        raise DomainError(_("Only the campaign office can do this."))
