"""Limits on guessing voter codes, without locking out a meeting room behind one address.

A code is one of 32¹⁰ ≈ 1.1·10¹⁵: guessing works only at enormous rates, so the limits
bound the rate, never a single address for long (a room of voters shares one Wi-Fi
address). The voting page carries a **ticket**: a signed, timestamped random token in a
hidden field (no cookie). Then:

- a ticket tests at most `ticket_failures` wrong codes; after that the page must be
  opened again (a person who mistyped reloads; a script must fetch a page per few guesses);
- wrong codes are counted per client address, per session and in all, over `window`
  seconds. While any of these counts is over its budget the site is **guarded** for that
  address or session: a code is tested only with a ticket at least `guarded_age` seconds
  old that has tested no wrong code yet. A voter types or scans and grades for longer
  than that, so real voters are never refused for their neighbours' guesses; a script
  gets one guess per page it fetched and waited for;
- a request refused by these rules tests nothing: its code is not looked up at all.

Counters live in the cache (Redis in production through REDIS_URL, so that every
worker sees the same counts).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from sanhao.lib.errors import DomainError
from sanhao.lib.net import throttle_address

SALT = "sanhao.ballots.ticket"
DEFAULTS = {
    "ticket_failures": 5,
    "ticket_max_age": 4 * 3600,
    "window": 600,
    "address_budget": 30,
    "session_budget": 300,
    "global_budget": 2000,
    "guarded_age": 3,
}


def limits() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "BALLOT_GUESS_LIMITS", {})}


def _now() -> float:
    return time.time()


class Refused(DomainError):
    """The attempt was not tested. `wait` is how many seconds to wait, or 0: open the
    page again."""

    def __init__(self, message: str, wait: int = 0) -> None:
        self.wait = wait
        super().__init__(message)


@dataclass(frozen=True)
class Ticket:
    nonce: str
    issued: float

    @property
    def key(self) -> str:
        return f"ballots:ticket:{self.nonce}"


def new_ticket() -> str:
    return signing.dumps({"n": secrets.token_urlsafe(12), "t": int(_now())}, salt=SALT)


def read_ticket(value: str) -> Ticket:
    """The ticket of a page, or Refused. Its age is taken from its own time by `_now`, the
    one clock of these rules (signing's `max_age` reads the system's)."""
    max_age = limits()["ticket_max_age"]
    try:
        data = signing.loads(value or "", salt=SALT, max_age=max_age)
        ticket = Ticket(str(data["n"]), float(data["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refused(_("This page has expired. Please open it again.")) from None
    if _now() - ticket.issued > max_age:
        raise Refused(_("This page has expired. Please open it again."))
    return ticket


def _window_key(kind: str, name: str) -> str:
    return f"ballots:fail:{kind}:{name}:{int(_now()) // limits()['window']}"


def _bump(key: str, timeout: int) -> None:
    if not cache.add(key, 1, timeout=timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, timeout=timeout)


def admit(request: Any, ticket_value: str, session_pk: int | None) -> Ticket:
    """The ticket when this attempt may test a code; Refused (testing nothing) otherwise."""
    rules = limits()
    ticket = read_ticket(ticket_value)
    keys = {
        "ticket": ticket.key,
        "addr": _window_key("addr", throttle_address(request)),
        "all": _window_key("all", "-"),
    }
    if session_pk is not None:
        keys["session"] = _window_key("session", str(session_pk))
    found = cache.get_many(list(keys.values()))  # one round trip to Redis for all counts
    counts = {kind: int(found.get(key) or 0) for kind, key in keys.items()}
    failures = counts["ticket"]
    if failures >= rules["ticket_failures"]:
        raise Refused(_("Too many wrong codes from this page. Please open it again."))
    guarded = (
        counts["addr"] >= rules["address_budget"]
        or counts["all"] >= rules["global_budget"]
        or counts.get("session", 0) >= rules["session_budget"]
    )
    if guarded:
        if failures:
            raise Refused(
                _("Too many wrong codes have been tried here. Please open the page again.")
            )
        age = _now() - ticket.issued
        if age < rules["guarded_age"]:
            wait = int(rules["guarded_age"] - age) + 1
            raise Refused(
                _(
                    "Many wrong codes have been tried here. Please wait %(n)d seconds and submit again."
                )
                % {"n": wait},
                wait=wait,
            )
    return ticket


def failed(request: Any, ticket: Ticket, session_pk: int | None) -> None:
    """Count one wrong code against the ticket, the address, the session and all."""
    rules = limits()
    window = rules["window"]
    _bump(ticket.key, rules["ticket_max_age"])
    _bump(_window_key("addr", throttle_address(request)), window * 2)
    _bump(_window_key("all", "-"), window * 2)
    if session_pk is not None:
        _bump(_window_key("session", str(session_pk)), window * 2)
