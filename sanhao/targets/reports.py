"""What the pages show of the figures: completion, growth, pace and place, in memory.

Everything here works on `services.current_figures(year)` (one query for the whole
district) and the scheme's indicators; nothing queries per unit. The definitions are
the engine's (docs/scoring.md §1): completion c = a / p, or p / a when lower is better
(1 when a = 0); growth g = (a − y) / |y|, or (y − a) / |y|, undefined when y = 0, where
during the year y is the prior year's figure for the same months (annual × month / 12).

Pace compares the share of the plan reached by the month of the latest actual with the
share of the year gone, month / 12: on pace (green) at or above it, slightly behind
(amber) at 90 % of it or more, behind (red) below. For a lower-is-better indicator the
share reached is a / p and being under the expected share is good, so the ratio is
turned round: (m / 12) / (a / p).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from sanhao.scoring.scheme import Indicator
from sanhao.targets.models import Figure

PLAN, PRIOR, ACTUAL = Figure.Kind.PLAN.value, Figure.Kind.PRIOR.value, Figure.Kind.ACTUAL.value
AMBER_SHARE = Decimal("0.9")
MONTHS = range(1, 13)


def number_text(value: Decimal | None) -> str:
    """A figure as a clerk writes it: 28.5, 1200 (never 28.5000 or 1.2E+3)."""
    if value is None:
        return ""
    if not value:
        return "0"
    return format(value.normalize(), "f")


def percent_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{(value * 100).quantize(Decimal('0.1'))}%"


def completion(
    indicator: Indicator, plan: Decimal | None, actual: Decimal | None
) -> Decimal | None:
    if plan is None or actual is None or plan <= 0:
        return None
    if indicator.lower_is_better:
        return Decimal(1) if actual == 0 else plan / actual
    return actual / plan


def growth(indicator: Indicator, prior: Decimal | None, actual: Decimal | None) -> Decimal | None:
    if prior is None or actual is None or prior == 0:
        return None
    change = (prior - actual) if indicator.lower_is_better else (actual - prior)
    return change / abs(prior)


def pace_ratio(
    indicator: Indicator, plan: Decimal | None, actual: Decimal | None, month: int | None
) -> Decimal | None:
    """The share of the plan reached over the share expected by the month; ≥ 1 is on pace."""
    if plan is None or actual is None or month is None or plan <= 0:
        return None
    expected = Decimal(month) / 12
    share = actual / plan
    if indicator.lower_is_better:
        return None if share == 0 else expected / share
    return share / expected


@dataclass(frozen=True)
class Pace:
    code: str  # "ahead" | "slightly-behind" | "behind": the CSS class and the test's handle
    label: str

    @classmethod
    def of(cls, ratio: Decimal | None) -> Pace | None:
        if ratio is None:
            return None
        if ratio >= 1:
            return cls("ahead", _("ahead of the expected pace"))
        if ratio >= AMBER_SHARE:
            return cls("slightly-behind", _("slightly behind the expected pace"))
        return cls("behind", _("behind the expected pace"))


def _pace(
    indicator: Indicator, plan: Decimal | None, actual: Decimal | None, month: int | None
) -> Pace | None:
    if indicator.lower_is_better and actual == 0 and plan and month:
        return Pace.of(Decimal(1))  # nothing yet is the best possible
    return Pace.of(pace_ratio(indicator, plan, actual, month))


@dataclass
class Cell:
    """One unit's figures of one indicator, and what they mean."""

    indicator: Indicator
    plan: Decimal | None
    prior: Decimal | None
    months: dict[int, Decimal]
    place: int | None = None
    ranked: int = 0  # how many units have a completion of this indicator
    latest_month: int | None = field(init=False)
    actual: Decimal | None = field(init=False)
    completion: Decimal | None = field(init=False)
    growth: Decimal | None = field(init=False)
    pace: Pace | None = field(init=False)

    def __post_init__(self) -> None:
        self.latest_month = max(self.months) if self.months else None
        self.actual = self.months.get(self.latest_month) if self.latest_month else None
        self.completion = completion(self.indicator, self.plan, self.actual)
        self.growth = growth(self.indicator, self.same_period_prior, self.actual)
        self.pace = _pace(self.indicator, self.plan, self.actual, self.latest_month)

    @property
    def same_period_prior(self) -> Decimal | None:
        """The prior year's figure for the months of the latest actual: its annual figure
        spread evenly over the months, as the score takes it (sanhao/rankings/bridge.py)."""
        if self.prior is None or self.latest_month is None:
            return None
        return (self.prior * self.latest_month / 12).quantize(Decimal("0.0001"))

    @property
    def plan_text(self) -> str:
        return number_text(self.plan)

    @property
    def prior_text(self) -> str:
        return number_text(self.prior)

    @property
    def actual_text(self) -> str:
        return number_text(self.actual)

    @property
    def completion_text(self) -> str:
        return percent_text(self.completion)

    @property
    def growth_text(self) -> str:
        return percent_text(self.growth)

    @property
    def planned_growth_text(self) -> str:
        """The growth the plan itself sets over the prior year (a published target)."""
        return percent_text(growth(self.indicator, self.prior, self.plan))

    @property
    def expected_text(self) -> str:
        if self.latest_month is None:
            return ""
        return percent_text(Decimal(self.latest_month) / 12)

    def month_texts(self) -> list[str]:
        return [number_text(self.months.get(m)) for m in MONTHS]

    def expected(self, month: int) -> Decimal | None:
        """What the plan asks by the end of `month`: plan × month / 12, as the pace reads it."""
        if self.plan is None:
            return None
        return (self.plan * month / 12).quantize(Decimal("0.01"))

    def expected_texts(self) -> list[str]:
        return [number_text(self.expected(m)) for m in MONTHS]

    def chart(self) -> dict[str, object]:
        """The line chart's data (`static/sanhao/charts.js`): the same numbers as the table,
        as text so that no float rounds them; None where nothing is reported."""
        return {
            "name": self.indicator.name,
            "actual": [number_text(self.months[m]) if m in self.months else None for m in MONTHS],
            "expected": [number_text(e) if (e := self.expected(m)) is not None else None
                         for m in MONTHS],
        }  # fmt: skip


def cells(
    indicators: Iterable[Indicator], figures: dict[tuple, Decimal], unit_ids: Iterable[int]
) -> dict[int, list[Cell]]:
    """{unit id: [Cell per indicator]}, each with its place among the given units by
    completion (equal completions share the better place: 1, 2, 2, 4)."""
    indicators = list(indicators)
    unit_ids = list(unit_ids)
    months: dict[tuple[int, str], dict[int, Decimal]] = {}
    for (unit_id, indicator_id, kind, month), value in figures.items():
        if kind == ACTUAL:
            months.setdefault((unit_id, indicator_id), {})[month] = value
    table: dict[int, list[Cell]] = {
        unit_id: [
            Cell(
                indicator=i,
                plan=figures.get((unit_id, i.id, PLAN, 0)),
                prior=figures.get((unit_id, i.id, PRIOR, 0)),
                months=months.get((unit_id, i.id), {}),
            )
            for i in indicators
        ]
        for unit_id in unit_ids
    }
    for index in range(len(indicators)):
        column = [row[index] for row in table.values() if row[index].completion is not None]
        column.sort(key=lambda cell: cell.completion, reverse=True)  # type: ignore[arg-type,return-value]
        for position, cell in enumerate(column):
            before = column[position - 1] if position else None
            if before is not None and before.completion == cell.completion:
                cell.place = before.place
            else:
                cell.place = position + 1
            cell.ranked = len(column)
    return table
