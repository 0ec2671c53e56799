"""A ballot session of the test world's leaders and deputies, open now, with codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from sanhao.ballots import printing, services
from sanhao.ballots.models import BallotSession, VoterGroup

VOTE_URL = "http://testserver/vote/"


@dataclass
class Open:
    session: BallotSession
    codes: list[str]
    group: VoterGroup


def make_session(world: Any, *, invited: int = 10, codes: int = 10, unit: Any = None,
                 category: str = "leader", open_it: bool = True) -> Open:  # fmt: skip
    now = timezone.now()
    session = services.create_session(
        world.campaign, title="班长测评", unit=unit, category="" if unit else category,
        opens_at=now - dt.timedelta(minutes=5), closes_at=now + dt.timedelta(hours=2),
        groups=[services.GroupPlan("unit_cadres", invited)], actor=world.office,
    )  # fmt: skip
    group = session.groups.get()
    plain: list[str] = []
    if codes:
        _batch, plain = services.issue_codes(session, group, codes, actor=world.office,
                                             vote_url=VOTE_URL)  # fmt: skip
    if open_it:
        session = services.open_session(session, actor=world.office)
    return Open(session, plain, group)


def grades_for(session: BallotSession, pattern: list[str] | None = None) -> dict[str, str]:
    cands = list(session.candidates.all())
    pattern = pattern or ["称职"]
    return {c.candidate: pattern[k % len(pattern)] for k, c in enumerate(cands)}


@pytest.fixture
def leaders(world: Any) -> Open:
    return make_session(world)


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    """The guess counters live in the cache: every test starts and ends without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_guess_limits(settings: Any) -> None:
    """Limits far above what a test sends, for the tests of something else."""
    settings.BALLOT_GUESS_LIMITS = {
        "ticket_failures": 10**6,
        "address_budget": 10**9,
        "session_budget": 10**9,
        "global_budget": 10**9,
    }


@pytest.fixture
def no_slips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue codes without drawing their slips (a PDF of QR codes: 12 ms a code)."""
    monkeypatch.setattr(printing, "code_slips_pdf", lambda *args, **kwargs: b"%PDF-")
