"""The candidates of a category on a day, named as the engine's facts name them.

The ids are the bridge's (`sanhao.rankings.bridge.team_id / leader_id / deputy_id`), so
that a sheet's cells join the engine's candidates: a unit's team, its leader and its
deputies in post on the day (a person with two deputy posts in a unit is one candidate).
Three queries whatever the size of the district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sanhao.campaigns.models import CampaignYear
from sanhao.orgs.models import Unit
from sanhao.rankings.bridge import year_candidates


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
    default), in the units' order, each unit's leader first and its deputies by post: the
    bridge's own list of the year's candidates (`year_candidates`), so that a sheet names
    exactly the candidates the engine will rank."""
    chosen = list(units) if units is not None else units_of(year)
    by_code = {u.code: u for u in chosen}
    rows = [c for c in year_candidates(year, today=day)
            if c["category"] == category and c["unit"] in by_code]  # fmt: skip
    return [Candidate(c["id"], by_code[c["unit"]], c["name"]) for c in rows]
