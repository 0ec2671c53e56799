"""The candidates of a category on a day, named as the engine's facts name them.

The ids are the bridge's (`sanhao.rankings.bridge.team_id / leader_id / deputy_id`), so
that a sheet's cells join the engine's candidates: a unit's team, its leader and its
deputies in post on the day (a person with two deputy posts in a unit is one candidate).
Two queries whatever the size of the district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sanhao.campaigns.models import CampaignYear
from sanhao.orgs.models import Post, Role, Unit
from sanhao.rankings.bridge import deputy_id, leader_id, team_id


@dataclass(frozen=True)
class Candidate:
    id: str
    unit: Unit
    name: str


def units_of(year: CampaignYear) -> list[Unit]:
    return list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))


def category_candidates(
    year: CampaignYear, category: str, day: dt.date, units: Iterable[Unit] | None = None
) -> list[Candidate]:
    """Every candidate of `category` on `day` in the units (all of the year's district by
    default), in the units' order, each unit's leader first and its deputies by post."""
    chosen = list(units) if units is not None else units_of(year)
    if category == "team":
        return [Candidate(team_id(u), u, _("%(unit)s team") % {"unit": u.name}) for u in chosen]
    by_pk = {u.pk: u for u in chosen}
    role = Role.LEADER if category == "leader" else Role.DEPUTY
    posts = (
        Post.objects.held_on(day).filter(unit_id__in=list(by_pk), role=role)
        .select_related("person").only("id", "unit_id", "role", "title", "order", "start",
                                       "person__id", "person__code", "person__name")
        .order_by("unit_id", "order", "start", "id")
    )  # fmt: skip
    rows: dict[int, list[Candidate]] = {pk: [] for pk in by_pk}
    seen: set[tuple[int, int]] = set()
    for post in posts:
        if (post.unit_id, post.person_id) in seen:  # two deputy posts: one candidate
            continue
        seen.add((post.unit_id, post.person_id))
        unit = by_pk[post.unit_id]
        ident = leader_id(unit) if role == Role.LEADER else deputy_id(unit, post)
        rows[unit.pk].append(Candidate(ident, unit, f"{post.person.name}（{post.title}）"))
    return [c for u in chosen for c in rows[u.pk]]
