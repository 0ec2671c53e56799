"""The demo's evaluation day: panel sessions scored through the services by seven judges.

Closed: the 13 teams, the 13 leaders, and the deputies of the first eleven units, each
sheet entered and submitted by its judge in the session's window; one judge's team sheet
gives every team 90 or more (void by the rules: the results page shows why), and one
deputy sheet was corrected and the correction accepted. Open: the deputies of the last two
units, six judges submitted, `judge1` not yet: a newcomer signs in as judge1 and scores
(their own unit, 兴泰镇, is an abstention). To be called from sanhao/demo/world.py's
seed_demo after the projects and before the scores are computed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanhao.accounts.models import User
from sanhao.orgs.models import Unit
from sanhao.panels import services
from sanhao.panels.models import PanelSession
from sanhao.panels.selectors import candidates_of, category_rules

JUDGES = [f"judge{n}" for n in range(1, 8)]
OWN_UNIT = {"judge1": 12, "judge2": 0, "judge3": 1}  # a judge's own unit (index): abstains
LENIENT = "judge7"  # gives every team 90 or more in the team session: that sheet is void


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _score(rng: random.Random, quality: float, bias: float, top: Decimal) -> str:
    value = 20 + 1.8 * quality + bias + rng.gauss(0, 1.3)
    half = round(min(max(value, 12.0), float(top)) * 2) / 2
    return f"{half:g}"


def _void(cells: dict[str, list[str]], rules: Any) -> bool:
    """The engine's rules of a void sheet (docs/scoring.md §2), to keep the demo's honest
    sheets valid: all totals equal, or too many totals ≥ void_high_total."""
    totals = [sum(Decimal(t) for t in row) for row in cells.values()]
    high = sum(1 for t in totals if t >= rules.panel.void_high_total)
    limit = math.ceil(Decimal(rules.panel.void_high_share) * len(totals))
    return (len(totals) >= 2 and len(set(totals)) == 1) or high > limit


def _sheet(session: PanelSession, judge: User, rng: random.Random, quality: dict[str, float],
           bias: float, abstains: set[int]) -> dict[str, list[str]]:  # fmt: skip
    rules = category_rules(session)
    top = rules.panel.dimension_max
    cells = {}
    for candidate in candidates_of(session):
        if candidate.unit_id in abstains:
            continue
        if judge.username == LENIENT and session.category == "team":
            cells[candidate.candidate] = [
                str(rng.choice((23, 23.5, 24))) for _d in rules.dimensions
            ]
        else:
            cells[candidate.candidate] = [_score(rng, quality[candidate.candidate], bias, top)
                                          for _d in rules.dimensions]  # fmt: skip
    if judge.username != LENIENT and _void(cells, rules):  # a kinder judge than chance made
        return _sheet(session, judge, rng, quality, bias - 1, abstains)
    return cells


def _seats(judges: dict[str, User], units: list[Unit], chosen: list[Unit]
           ) -> list[tuple[User, list[Unit]]]:  # fmt: skip
    """Each judge with their own unit, where it has candidates in the session."""
    return [(judges[name], [units[OWN_UNIT[name]]]
             if name in OWN_UNIT and units[OWN_UNIT[name]] in chosen else [])
            for name in JUDGES]  # fmt: skip


def _score_session(session: PanelSession, judges: dict[str, User], seats: list[Any],
                   rng: random.Random, at: dt.datetime, skip: frozenset[str] = frozenset()
                   ) -> None:  # fmt: skip
    quality = {c.candidate: rng.uniform(-1, 1) for c in candidates_of(session)}
    for minute, (judge, units) in enumerate(seats):
        if judge.username in skip:
            continue
        bias = rng.uniform(-1.2, 1.2)
        cells = _sheet(session, judge, rng, quality, bias, {u.pk for u in units})
        when = at + dt.timedelta(minutes=minute)
        services.save_draft(session, cells, actor=judge, now=when)
        services.submit_sheet(session, actor=judge, now=when)


def seed_panels(campaign: Any, units: list[Unit], office: Any) -> list[PanelSession]:
    rng = random.Random(20261124)
    judges = {u.username: u for u in User.objects.filter(username__in=JUDGES)}
    year = campaign.year
    day = dt.date(year, 11, 24)
    plan = [
        ("team", f"{year}年度好班子述职评分", _at(day, 9), _at(day, 12), units),
        ("leader", f"{year}年度好班长述职评分", _at(day, 14), _at(day, 17, 30), units),
        ("deputy", f"{year}年度好班副述职评分（第一组）", _at(day + dt.timedelta(days=1), 9),
         _at(day + dt.timedelta(days=1), 17, 30), units[:11]),
    ]  # fmt: skip
    sessions = []
    for category, title, opens, closes, chosen in plan:
        seats = _seats(judges, units, chosen)
        session = services.create_session(
            campaign, category=category, title=title, opens=opens, closes=closes,
            mode=category_rules(PanelSession(year=campaign, category=category)).panel.mode,
            judges=seats, units=chosen, actor=office,
        )  # fmt: skip
        services.open_session(session, actor=office, now=opens - dt.timedelta(hours=1))
        first = candidates_of(session)[0]
        services.set_reporting(session, first.candidate, actor=office)
        _score_session(session, judges, seats, rng, opens + dt.timedelta(hours=2))
        sessions.append(session)
    # A judge corrects a cell typed wrong in the deputies' session; the office accepts.
    deputies = sessions[2]
    judge = judges["judge5"]
    late = deputies.opens + dt.timedelta(hours=3)
    draft = services.start_correction(deputies, actor=judge, now=late)
    candidate = next(iter(draft.cells))
    row = list(draft.cells[candidate])
    row[1] = "21" if row[1] != "21" else "21.5"
    services.save_draft(deputies, {candidate: row}, actor=judge, now=late)
    services.submit_sheet(deputies, reason="执行能力优一项录入有误，按评分记录更正", actor=judge,
                          now=late)  # fmt: skip
    version = deputies.versions.get(judge=judge, number=2)
    services.decide_correction(version, accepted=True, note="核对纸质评分记录无误", actor=office,
                               now=late + dt.timedelta(minutes=20))  # fmt: skip
    for session in sessions:
        services.close_session(session, actor=office, now=session.closes)
    # Open now: the last two units' deputies; everyone but judge1 has submitted.
    opens = _at(dt.date(year, 11, 30), 8, 30)
    closes = max(_at(dt.date(year, 11, 30), 18), timezone.now() + dt.timedelta(days=7))
    seats = _seats(judges, units, units[11:])
    open_session = services.create_session(
        campaign, category="deputy", title=f"{year}年度好班副述职评分（第二组）", opens=opens,
        closes=closes, mode=category_rules(deputies).panel.mode, judges=seats, units=units[11:],
        actor=office,
    )  # fmt: skip
    services.open_session(open_session, actor=office, now=opens - dt.timedelta(hours=1))
    services.set_reporting(open_session, candidates_of(open_session)[0].candidate, actor=office)
    _score_session(open_session, judges, seats, rng, opens + dt.timedelta(hours=1),
                   skip=frozenset({"judge1"}))  # fmt: skip
    return [*sessions, open_session]
