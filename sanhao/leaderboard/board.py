"""The leaderboard (摆擂台、晒目标、比担当): every unit of a year side by side, in memory.

`load(year)` reads the whole district in a fixed number of queries — the units, the
scheme, the figures, the process records, the projects, the remedies, the newest score
run's team lines and the awards — and computes the rest here, so that the number of
queries never grows with the number of units:

- targets and pace: each indicator's completion and pace as the targets app computes
  them (`sanhao.targets.reports`); a unit's completion is the mean of its indicators'
  completions, its pace the mean of their pace ratios (≥ 1 is on pace);
- the monthly ranking: for every month, a unit's mean completion of its indicators with
  the cumulative actual of that month, and its place among the units with one
  (equal completions share the better place: 1, 2, 2, 4);
- process-record compliance: records on time over the periods due (ended by today, or
  already recorded);
- projects: how many (dropped ones left out), how many done, milestones done of those kept;
- spot checks: remedies done of those not dropped;
- the four standards of a good team (四强): each team's panel score per dimension (P's
  dimensions, the judges' mean) from the newest score run; before evaluation day, the
  four parts of the year's record instead, each as a percentage — the charts say which;
- the awards, once the decision has made them.

`screen(board)` keeps only what may hang in a public hall: names of units, targets and
pace, ranks, compliance rates, and after the decision the awardees' names and posts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.awards.models import Award, Category
from sanhao.campaigns.models import CampaignYear
from sanhao.checks.models import Remedy, RemedyStatus
from sanhao.checks.services import with_status
from sanhao.orgs.models import Unit
from sanhao.projects.models import Status
from sanhao.projects.selectors import Row as ProjectRow
from sanhao.projects.selectors import project_rows
from sanhao.projects.state import DONE as MILESTONE_DONE
from sanhao.projects.state import DROPPED as MILESTONE_DROPPED
from sanhao.rankings.models import ScoreLine, ScoreRun
from sanhao.rankings.runs import latest_run
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.records.models import ProcessRecord
from sanhao.records.periods import is_on_time, is_over
from sanhao.scoring.scheme import Scheme
from sanhao.targets import reports
from sanhao.targets.forms import month_choices
from sanhao.targets.reports import Cell, Pace, completion, percent_text
from sanhao.targets.services import current_figures

MONTHS = range(1, 13)
HUNDRED = Decimal(100)


def number(value: Decimal | None, places: str = "0.1", rounding: str = ROUND_HALF_UP) -> str | None:
    """A number for the charts' JSON, as text so that no float rounds it differently
    from the table: "68.2" (half up, as a clerk rounds); None where there is nothing."""
    if value is None:
        return None
    return format(value.quantize(Decimal(places), rounding=rounding), "f")


def percent_number(share: Decimal | None) -> str | None:
    """A share as the percentage the table shows without its sign: 0.6824 → "68.2",
    rounded as `targets.reports.percent_text` rounds it (the context's half even)."""
    return None if share is None else number(share * HUNDRED, rounding=ROUND_HALF_EVEN)


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _places(values: dict[int, Decimal]) -> dict[int, int]:
    """{unit id: place} by value, best first; equal values share the better place."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=True)
    places: dict[int, int] = {}
    before: tuple[int, Decimal] | None = None
    for position, (unit_id, value) in enumerate(ordered):
        if before is not None and before[1] == value:
            places[unit_id] = places[before[0]]
        else:
            places[unit_id] = position + 1
        before = (unit_id, value)
    return places


@dataclass
class Compliance:
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.on_time) / self.due if self.due else None

    @property
    def rate_text(self) -> str:
        return percent_text(self.rate)


@dataclass
class Projects:
    count: int = 0
    done: int = 0
    in_progress: int = 0
    milestones_done: int = 0
    milestones_kept: int = 0

    @property
    def progress(self) -> Decimal | None:
        if not self.milestones_kept:
            return None
        return Decimal(self.milestones_done) / self.milestones_kept

    @property
    def progress_text(self) -> str:
        return percent_text(self.progress)


@dataclass
class Remedies:
    count: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.done) / self.count if self.count else None

    @property
    def rate_text(self) -> str:
        return percent_text(self.rate)


@dataclass
class Row:
    """One unit on the board."""

    unit: Unit
    cells: list[Cell]
    completion: Decimal | None = None
    pace_ratio: Decimal | None = None
    pace: Pace | None = None
    monthly: list[Decimal | None] = field(default_factory=list)  # mean completion, month 1…12
    ranks: list[int | None] = field(default_factory=list)
    rank: int | None = None  # the place in the latest month ranked
    records: Compliance = field(default_factory=Compliance)
    projects: Projects = field(default_factory=Projects)
    remedies: Remedies = field(default_factory=Remedies)
    dimensions: list[Decimal | None] = field(default_factory=list)  # the radar's values
    awards: list[Award] = field(default_factory=list)

    @property
    def completion_text(self) -> str:
        return percent_text(self.completion)

    @property
    def monthly_texts(self) -> list[str]:
        return [percent_text(v) for v in self.monthly]


@dataclass
class Board:
    year: CampaignYear
    rows: list[Row]
    indicators: list[Any]
    latest_month: int | None  # the latest month any unit reported
    run: ScoreRun | None
    radar_from_panel: bool  # True: P's dimensions; False: the four parts of the record
    radar_names: list[str]
    radar_max: Decimal
    awards: list[Award]
    today: dt.date
    projects: list[ProjectRow] = field(default_factory=list)  # the year's, dropped ones too

    @property
    def decided(self) -> bool:
        return bool(self.awards)

    @property
    def expected_share(self) -> Decimal | None:
        return Decimal(self.latest_month) / 12 if self.latest_month else None

    @property
    def expected_text(self) -> str:
        return percent_text(self.expected_share)

    @property
    def ranked_rows(self) -> list[Row]:
        """The rows by their latest place, unranked ones last, then in unit order."""
        return sorted(self.rows, key=lambda r: (r.rank is None, r.rank or 0))

    def award_groups(self) -> list[dict[str, Any]]:
        labels = dict(Category.choices)
        groups = []
        for category in Category:
            awards = [a for a in self.awards if a.category == category]
            if awards:
                groups.append({"category": category.value, "label": labels[category],
                               "awards": awards})  # fmt: skip
        return groups


def _records(year: CampaignYear, scheme: Scheme, rows: dict[int, Row], today: dt.date) -> None:
    expected = {t.type: t.expected for t in scheme.records}
    held: dict[tuple[int, str, int], dt.date] = {}
    for unit_id, type, period, held_on in ProcessRecord.objects.filter(
        year=year, superseded_by__isnull=True
    ).values_list("unit_id", "type", "period", "held_on"):
        held[(unit_id, type, period)] = held_on
    for unit_id, row in rows.items():
        tally = row.records
        for type, n in expected.items():
            for period in range(1, n + 1):
                day = held.get((unit_id, type, period))
                if day is not None:
                    tally.due += 1
                    if is_on_time(day, year.year, period, n):
                        tally.on_time += 1
                    else:
                        tally.late += 1
                elif is_over(year.year, period, n, today):
                    tally.due += 1
                    tally.missing += 1


def _projects(year: CampaignYear, rows: dict[int, Row], today: dt.date) -> list[ProjectRow]:
    found = project_rows(year, today=today)
    for project in found:
        row = rows.get(project.project.unit_id)
        if row is None or project.status == Status.DROPPED:
            continue
        tally = row.projects
        tally.count += 1
        tally.done += project.status == Status.DONE
        tally.in_progress += project.status == Status.IN_PROGRESS
        tally.milestones_done += sum(1 for _m, s in project.milestones
                                     if s.state == MILESTONE_DONE)  # fmt: skip
        tally.milestones_kept += sum(1 for _m, s in project.milestones
                                     if s.state != MILESTONE_DROPPED)  # fmt: skip
    return found


def _remedies(year: CampaignYear, rows: dict[int, Row], today: dt.date) -> None:
    remedies = with_status(Remedy.objects.filter(shortfall__spot_check__year=year))
    found = remedies.values_list("shortfall__unit_id", "status", "due_on")  # type: ignore[misc]
    for unit_id, status, due_on in found:
        row = rows.get(unit_id)
        if row is None or status == RemedyStatus.DROPPED:
            continue
        tally = row.remedies
        tally.count += 1
        tally.done += status == RemedyStatus.DONE
        tally.open += status == RemedyStatus.OPEN
        tally.overdue += status == RemedyStatus.OPEN and due_on < today


def team_dimensions(line_document: dict[str, Any], names: list[str]) -> list[Decimal | None]:
    """A team line's panel score per dimension (P's dimensions, the judges' mean), in the
    scheme's order; None for each while no judge has scored."""
    panel = (line_document.get("breakdown") or {}).get("P") or {}
    if not panel.get("judges"):  # no sheet yet: the dimensions are no one's scores
        return [None] * len(names)
    given = panel.get("dimensions") or {}
    values: list[Decimal | None] = []
    for name in names:
        value = given.get(name)
        values.append(Decimal(str(value)) if value is not None else None)
    return values


def load(year: CampaignYear, *, today: dt.date | None = None) -> Board:
    """The whole district's board of the year, in a fixed number of queries."""
    today = today or timezone.localdate()
    scheme = check_scheme(current_scheme(year).source)
    indicators = list(scheme.indicators)
    units = list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))
    figures = current_figures(year)
    table = reports.cells(indicators, figures, [u.pk for u in units])
    rows = {u.pk: Row(unit=u, cells=table[u.pk]) for u in units}
    latest = max((c.latest_month for r in rows.values() for c in r.cells if c.latest_month),
                 default=None)  # fmt: skip
    by_month: dict[int, dict[int, Decimal]] = {m: {} for m in MONTHS}
    for row in rows.values():
        completions = [c.completion for c in row.cells if c.completion is not None]
        row.completion = _mean(completions)
        ratios = [r for c in row.cells if (r := reports.pace_ratio(c.indicator, c.plan, c.actual,
                                                                     c.latest_month)) is not None]  # fmt: skip
        row.pace_ratio = _mean(ratios)
        row.pace = Pace.of(row.pace_ratio)
        for month in MONTHS:
            values = [v for c in row.cells
                      if (v := completion(c.indicator, c.plan, c.months.get(month))) is not None]  # fmt: skip
            mean = _mean(values)
            row.monthly.append(mean)
            if mean is not None:
                by_month[month][row.unit.pk] = mean
    places = {month: _places(values) for month, values in by_month.items()}
    for row in rows.values():
        row.ranks = [places[m].get(row.unit.pk) for m in MONTHS]
        row.rank = places[latest].get(row.unit.pk) if latest else None
    _records(year, scheme, rows, today)
    projects = _projects(year, rows, today)
    _remedies(year, rows, today)
    run = latest_run(year)
    team = scheme.categories.get("team")
    names = list(team.dimensions) if team is not None else []
    dimensions: dict[int, list[Decimal | None]] = {}
    if run is not None and names:
        codes = {u.code: u.pk for u in units}
        for unit_code, document in ScoreLine.objects.filter(run=run, category="team").values_list(
            "unit", "document"
        ):
            if unit_code in codes:
                dimensions[codes[unit_code]] = team_dimensions(document, names)
    from_panel = any(v is not None for values in dimensions.values() for v in values)
    if from_panel:
        assert team is not None
        radar_max = team.panel.dimension_max
        for row in rows.values():
            row.dimensions = dimensions.get(row.unit.pk) or [None] * len(names)
    else:
        names = [_("targets met"), _("records on time"), _("project milestones done"),
                 _("remedies done")]  # fmt: skip
        radar_max = HUNDRED
        for row in rows.values():
            shares = [min(row.completion, Decimal(1)) if row.completion is not None else None,
                      row.records.rate, row.projects.progress, row.remedies.rate]  # fmt: skip
            row.dimensions = [s * HUNDRED if s is not None else None for s in shares]
    awards = list(Award.objects.filter(year=year).select_related("decision", "unit")
                  .order_by("decision_id", "order", "id"))  # fmt: skip
    for award in awards:
        if award.unit_id in rows:
            rows[award.unit_id].awards.append(award)
    return Board(year=year, rows=list(rows.values()), indicators=indicators, latest_month=latest,
                 run=run, radar_from_panel=from_panel, radar_names=names, radar_max=radar_max,
                 awards=awards, today=today, projects=projects)  # fmt: skip


def month_labels() -> list[str]:
    return [str(label) for _m, label in month_choices()]


def charts(board: Board, *, radar: bool = True) -> dict[str, Any]:
    """The charts' data (static/sanhao/leaderboard.js): the same numbers as the tables."""
    rows = board.rows
    data: dict[str, Any] = {
        "units": [r.unit.name for r in rows],
        "months": month_labels(),
        "pace": {
            "title": _("Completion of the annual plan, mean of the indicators (%)"),
            "expected_label": _("expected by the month"),
            "expected": percent_number(board.expected_share),
            "values": [percent_number(r.completion) for r in rows],
            "codes": [r.pace.code if r.pace else "" for r in rows],
        },
        "ranks": {
            "title": _("Place among the units by month (1 is first)"),
            "series": [{"name": r.unit.name, "values": r.ranks} for r in rows],
            "count": len(rows),
        },
    }
    if radar:
        data["radar"] = {
            "title": _("Panel scores of the four standards of a good team (P, newest score run)")
            if board.radar_from_panel
            else _("Four parts of the year's record (%), until the panel has scored"),
            "names": board.radar_names,
            "max": number(board.radar_max, "1"),
            "series": [
                {
                    "name": r.unit.name,
                    "values": [_radar_number(board, v) for v in r.dimensions],
                }
                for r in rows
            ],
        }
    return data


def radar_texts(board: Board, row: Row) -> list[str]:
    """The radar's numbers of a row as the table shows them (the JSON's strings)."""
    return [_radar_number(board, v) or "—" for v in row.dimensions]


def _radar_number(board: Board, value: Decimal | None) -> str | None:
    """A panel score to the cent, half up; a part of the record as a percentage."""
    if board.radar_from_panel:
        return number(value, "0.01")
    return None if value is None else number(value, rounding=ROUND_HALF_EVEN)
