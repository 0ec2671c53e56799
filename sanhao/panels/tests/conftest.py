"""Panel sessions of the shared world, built through the services: judges, a session of a
category open now, sheets submitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.conftest import PASSWORD
from sanhao.panels import services
from sanhao.panels.models import PanelJudge, PanelSession
from sanhao.panels.selectors import candidates_of


@pytest.fixture
def judges(world) -> list[Any]:
    """The world's judge and two more: the judge of town A abstains on A."""
    more = [create_account(username=f"judge-{n}", password=PASSWORD, role=AccountRole.JUDGE,
                           full_name=f"评委{n}", actor=world.office) for n in ("b", "c")]  # fmt: skip
    return [world.judge, *more]


def make_session(world, judges, *, category="team", units=None, opened=True,
                 abstain=None, **kwargs) -> PanelSession:  # fmt: skip
    """A session open from an hour ago for a day; `abstain`: judge → units."""
    now = timezone.now()
    abstain = abstain or {}
    session = services.create_session(
        world.campaign, category=category, title=kwargs.get("title", f"{category} 述职评分"),
        opens=kwargs.get("opens", now - dt.timedelta(hours=1)),
        closes=kwargs.get("closes", now + dt.timedelta(days=1)), mode=kwargs.get("mode", "score"),
        judges=[(j, abstain.get(j.username, [])) for j in judges], units=units, actor=world.office,
    )  # fmt: skip
    if opened:
        services.open_session(session, actor=world.office)
    session.refresh_from_db()
    return session


def fill_sheet(session, judge, scores: dict[str, list[str]] | None = None, *, submit=True):
    """A judge's sheet: `scores` by candidate id, else 20 + the candidate's place."""
    if scores is None:
        seat = PanelJudge.objects.get(session=session, judge=judge)
        skip = {u.pk for u in seat.abstains.all()}
        scores = {c.candidate: [str(20 + n % 5), "21", "22.5", "19"]
                  for n, c in enumerate(candidates_of(session)) if c.unit_id not in skip}  # fmt: skip
    services.save_draft(session, scores, actor=judge)
    if submit:
        return services.submit_sheet(session, actor=judge)
    return None


@pytest.fixture
def session(world, judges) -> PanelSession:
    return make_session(world, judges)
