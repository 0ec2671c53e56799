"""Where the database meets the scoring engine, and nowhere else.

`build_facts(year)` reads the year's organisation and record in a fixed number of
queries, whatever the number of units and people, and returns the engine's facts
document (docs/scheme.md). An indicator's actual is its latest cumulative monthly actual,
and its prior the prior year's figure for the same months. The current process records
(`sanhao.records`) go in with their on-time mark; the office's standing bonus, deduction
and veto events (`sanhao.events`) as they are, an event on a person who is not a candidate
on the facts' day (they left the post) being left out. The panel sheets are those of the
closed panel sessions (`sanhao.panels.facts.panel_facts`: each judge's counted version,
cells of someone no longer a candidate left out). The ballots of the year's sealed sessions
(`sanhao.ballots.facts`) go in as cast, a grade of someone who is no longer a candidate on
the facts' day being left out (the ballot still counts as returned).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sanhao.ballots.facts import facts_for_year as ballot_facts
from sanhao.campaigns.models import CampaignYear
from sanhao.events.services import facts_events
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, Role, Unit
from sanhao.panels.facts import panel_facts
from sanhao.records.services import records_for_facts
from sanhao.scoring.scheme import Scheme
from sanhao.targets.models import Figure, Oversight
from sanhao.targets.services import current_figures, months_in_post


class FactsIncomplete(DomainError):
    """The year's record lacks what the engine needs: every unit's plan of every indicator."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        shown = "、".join(missing[:20]) + ("……" if len(missing) > 20 else "")
        super().__init__(
            _("The engine needs every unit's annual plan of every indicator. Missing: %(list)s")
            % {"list": shown}
        )


def as_of(year: CampaignYear, today: dt.date | None = None) -> dt.date:
    """The day the teams are taken on: today during the year, its last day after it."""
    last = dt.date(year.year, 12, 31)
    return min(today or dt.date.today(), last)


def team_id(unit: Unit) -> str:
    return f"T-{unit.code}"


def leader_id(unit: Unit) -> str:
    return f"L-{unit.code}"


def deputy_id(unit: Unit, post: Post) -> str:
    return f"D-{unit.code}-{post.person.code}"


def _units_and_posts(year: CampaignYear) -> tuple[list[Unit], dict[int, list[Post]]]:
    units = list(
        Unit.objects.filter(district_id=year.district_id).order_by("order", "code")
        .only("id", "code", "name")
    )  # fmt: skip
    posts = list(
        Post.objects.during_year(year.year).filter(unit__district_id=year.district_id)
        .select_related("person").only("id", "unit_id", "role", "title", "start", "end", "order",
                                       "person__id", "person__code", "person__name")
        .order_by("unit_id", "order", "start", "id")
    )  # fmt: skip
    by_unit: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        by_unit[post.unit_id].append(post)
    return units, by_unit


def _unit_candidates(
    year: CampaignYear, unit: Unit, posts: list[Post], day: dt.date,
    overseen: dict[int, list[str]], person_candidates: dict[tuple[str, int, str], str],
) -> list[dict[str, Any]]:  # fmt: skip
    """A unit's candidates on `day`: its team, its leader, its deputies (one each)."""
    out: list[dict[str, Any]] = [{"id": team_id(unit), "category": "team", "unit": unit.code,
                                  "name": _("%(unit)s team") % {"unit": unit.name}}]  # fmt: skip
    held = [p for p in posts if p.start <= day and (p.end is None or p.end > day)]
    seen: set[tuple[int, str]] = set()
    for post in held:
        if (post.person_id, post.role) in seen:  # two deputy posts: one candidate
            continue
        seen.add((post.person_id, post.role))
        same = [p for p in posts if p.person_id == post.person_id and p.role == post.role]
        months = months_in_post(same, year.year, day)
        name = f"{post.person.name}（{post.title}）"
        person_candidates[(unit.code, post.person_id, post.role)] = (
            leader_id(unit) if post.role == Role.LEADER else deputy_id(unit, post)
        )
        if post.role == Role.LEADER:
            out.append({"id": leader_id(unit), "category": "leader",
                        "unit": unit.code, "name": name, "months_in_post": months})  # fmt: skip
        else:
            ids = sorted({i for p in same for i in overseen.get(p.pk, [])})
            out.append({"id": deputy_id(unit, post), "category": "deputy",
                        "unit": unit.code, "name": name, "months_in_post": months,
                        "oversees": ids})  # fmt: skip
    return out


def year_candidates(year: CampaignYear, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The candidates of the year as the engine's facts name them (id, category, unit
    code, name), in the units' order: what a panel or a ballot session lists. Three queries."""
    day = as_of(year, today)
    units, by_unit = _units_and_posts(year)
    out: list[dict[str, Any]] = []
    for unit in units:
        out += _unit_candidates(year, unit, by_unit[unit.pk], day, {}, {})
    return out


def build_facts(
    year: CampaignYear, scheme: Scheme, *, today: dt.date | None = None
) -> dict[str, Any]:
    day = as_of(year, today)
    units, by_unit = _units_and_posts(year)
    overseen: dict[int, list[str]] = defaultdict(list)
    for post_id, overseen_id in Oversight.objects.filter(year=year).values_list(
        "post_id", "indicator"
    ):
        overseen[post_id].append(overseen_id)
    figures = current_figures(year)

    candidates: list[dict[str, Any]] = []
    person_candidates: dict[tuple[str, int, str], str] = {}  # (unit, person, role) → id
    indicator_facts: list[dict[str, Any]] = []
    missing: list[str] = []
    for unit in units:
        candidates += _unit_candidates(
            year, unit, by_unit[unit.pk], day, overseen, person_candidates
        )
        for indicator in scheme.indicators:
            key = (unit.pk, indicator.id)
            plan = figures.get((*key, Figure.Kind.PLAN, 0))
            if plan is None or plan <= 0:
                missing.append(f"{unit.name}·{indicator.name}")
                continue
            actuals = [m for m in range(12, 0, -1) if (*key, Figure.Kind.ACTUAL, m) in figures]
            month = actuals[0] if actuals else 12
            actual = figures[(*key, Figure.Kind.ACTUAL, month)] if actuals else Decimal(0)
            prior = figures.get((*key, Figure.Kind.PRIOR, 0), Decimal(0))
            # During the year the actual is cumulative to its month: growth is taken against
            # the prior year's same period, its annual figure spread evenly over the months
            # (docs/scheme.md, "The year in progress"). In December it is the prior itself.
            prior = (prior * month / 12).quantize(Decimal("0.0001"))
            indicator_facts.append({"unit": unit.code, "indicator": indicator.id,
                                    "actual": str(actual), "plan": str(plan), "prior": str(prior)})  # fmt: skip
    if missing:
        raise FactsIncomplete(missing)
    known = {c["id"] for c in candidates}
    ballots = ballot_facts(year)
    for ballot in ballots["ballots"]:
        if not known.issuperset(ballot["grades"]):
            ballot["grades"] = {k: v for k, v in ballot["grades"].items() if k in known}
    events = facts_events(
        year, lambda code, post: person_candidates.get((code, post.person_id, post.role))
    )
    return {
        "format": 1,
        "year": year.year,
        "units": [{"id": u.code, "name": u.name} for u in units],
        "candidates": candidates,
        "indicators": indicator_facts,
        "records": records_for_facts(year),
        "panel": panel_facts(year, scheme, {c["id"] for c in candidates}),
        **ballots,
        **events,
    }
