"""The demo's democratic ballots, cast through the same service as the voting pages.

Each unit's own session (its team, leader and deputies, graded by its cadres, its village
secretaries and the public) and the district leaders' session on the teams are closed and
sealed; their ballots make the demo ranking's M. The district leaders' session on the
leaders is still open: its code slips wait for the office to download them, four of its
twelve codes are used, and `seed_demo` prints one unused code so that a newcomer can vote.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from sanhao.ballots import services
from sanhao.ballots.models import BallotSession

# (group, voters invited) of a unit's own session
UNIT_GROUPS = [("unit_cadres", 30), ("village_secretaries", 12), ("public", 10)]
DISTRICT_LEADERS = 12
TURNOUT = 0.9
SITE = "http://127.0.0.1:8000"


def _vote_url(session: BallotSession) -> str:
    return f"{SITE}/vote/{session.pk}/"


def _cast_all(session: BallotSession, plain: list[str], rng: random.Random, merit: dict[str, float],
              share: float) -> None:  # fmt: skip
    """Cast `share` of the codes: each candidate's grade drawn by their merit, kept within
    the top-grade limit (the page refuses a ballot that breaks it)."""
    _row, form = services.find_code(plain[0])
    for code in plain[: round(len(plain) * share)]:
        given: dict[str, str] = {}
        tops: dict[str, int] = {}
        for c in form.candidates:
            grades = form.grades[c.category]
            m = merit.setdefault(c.candidate, rng.uniform(0.35, 0.9))
            roll = rng.random()
            if roll < 0.04:
                grade = grades[-1]  # 不了解
            elif roll < 0.04 + m * 0.55:
                grade = grades[0]
            elif roll < 0.97:
                grade = grades[1]
            else:
                grade = grades[2]
            if grade == grades[0]:
                if tops.get(c.category, 0) >= form.top_limits[c.category]:
                    grade = grades[1]
                else:
                    tops[c.category] = tops.get(c.category, 0) + 1
            given[c.candidate] = grade
        services.cast(code, given)


def seed_ballots(campaign: Any, units: list[Any], office: Any) -> str:
    """The demo's ballot sessions; returns one unused code of the open session."""
    rng = random.Random(2026_12)
    now = timezone.now().replace(second=0, microsecond=0)
    window = {"opens_at": now - dt.timedelta(hours=1), "closes_at": now + dt.timedelta(hours=4)}
    merit: dict[str, float] = {}
    for unit in units:
        session = services.create_session(
            campaign, title=f"{unit.name}领导班子和班子成员民主测评", unit=unit, category="",
            groups=[services.GroupPlan(g, n) for g, n in UNIT_GROUPS], actor=office, **window,
        )  # fmt: skip
        plain: list[str] = []
        for group in session.groups.all():
            batch, codes = services.issue_codes(session, group, group.invited, actor=office,
                                                vote_url=_vote_url(session))  # fmt: skip
            services.take_slips(batch, actor=office)  # printed and handed out
            plain += codes
        services.open_session(session, actor=office)
        rng.shuffle(plain)
        _cast_all(session, plain, rng, merit, TURNOUT)
        services.close_session(session, actor=office)

    teams = services.create_session(
        campaign, title="好班子民主测评（区领导）", unit=None, category="team",
        groups=[services.GroupPlan("district_leaders", DISTRICT_LEADERS)], actor=office, **window,
    )  # fmt: skip
    group = teams.groups.get()
    batch, plain = services.issue_codes(teams, group, DISTRICT_LEADERS, actor=office,
                                        vote_url=_vote_url(teams))  # fmt: skip
    services.take_slips(batch, actor=office)
    services.open_session(teams, actor=office)
    _cast_all(teams, plain, rng, merit, 11 / 12)
    services.close_session(teams, actor=office)

    leaders = services.create_session(
        campaign, title="好班长民主测评（区领导，进行中）", unit=None, category="leader",
        groups=[services.GroupPlan("district_leaders", DISTRICT_LEADERS)], actor=office,
        opens_at=window["opens_at"], closes_at=now + dt.timedelta(days=30),
    )  # fmt: skip
    group = leaders.groups.get()
    _batch, plain = services.issue_codes(leaders, group, DISTRICT_LEADERS, actor=office,
                                         vote_url=_vote_url(leaders))  # fmt: skip
    services.open_session(leaders, actor=office)
    _cast_all(leaders, plain[:4], rng, merit, 1)
    return plain[4]


def demo_code() -> str:
    """A new unused code of the demo's open session, for `seed_demo` to print when the demo
    was loaded before (the first run prints the one `seed_ballots` returned)."""
    from sanhao.accounts.models import User

    session = BallotSession.objects.filter(state="open").order_by("pk").first()
    if session is None:
        return ""
    office = User.objects.get(username="office")
    group = session.groups.order_by("pk").first()
    if group is None:
        return ""
    _batch, plain = services.issue_codes(
        session, group, 1, actor=office, vote_url=_vote_url(session)
    )
    return plain[0]
