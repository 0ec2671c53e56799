"""The typed result of `sanhao.scoring.score`: what the report, the web and the tests read.

`Result` holds the engine's arrays and gives typed views of them: `candidates(category)`
in rank order, `candidate(id)`, `summary(category)`, `breakdown(id)` (which inputs, rules
and weights made each number) and `unit_breakdown(unit)`. Reasons and statuses are codes
(`codes.py`); `report.py` renders them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import numpy as np

from sanhao.scoring.codes import CATEGORIES, Category, Component, Reason, Status
from sanhao.scoring.engine import ENGINE_VERSION, CategoryResult, Quantified
from sanhao.scoring.facts import Facts
from sanhao.scoring.scheme import Item, Scheme


def cents(value: int | np.integer) -> Decimal:
    """Cents as a Decimal with two places: 8790 → Decimal("87.90")."""
    return Decimal(int(value)).scaleb(-2)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """One candidate's published numbers (docs/scoring.md §1–§7), each rounded to 2 places."""

    id: str
    name: str
    category: Category
    unit: str  # the unit's id
    unit_name: str
    k: Decimal
    p: Decimal
    m: Decimal
    b: Decimal
    d: Decimal
    s: Decimal
    rank: int  # competition rank (1, 2, 2, 4)
    tied: bool  # equal to another after every tie-break (并列)
    excellence_rate: Fraction  # e: top grades / grades counted
    bottom_rate: Fraction  # u: bottom grades / grades counted
    grades_counted: int
    panel_sheets: int  # R: valid sheets that scored the candidate
    reasons: tuple[Reason, ...]  # why not eligible; empty when eligible
    incomplete: tuple[Component, ...]  # components missing (shown as 0)
    status: Status

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def awarded(self) -> bool:
        return self.status is Status.AWARDED


@dataclass(frozen=True)
class CategorySummary:
    category: Category
    name: str
    quota: int
    threshold: Decimal | None
    unit_cap: int
    awarded: tuple[str, ...]
    boundary_tie: tuple[str, ...]
    unit_cap_tie: tuple[str, ...]
    seats_for_deliberation: int
    empty_seats: int
    void_sheets: Mapping[str, Reason]
    void_sessions: Mapping[str, Reason]
    void_ballots: int


@dataclass(frozen=True)
class IndicatorLine:
    indicator: str
    name: str
    points: Decimal
    actual: Decimal
    plan: Decimal
    prior: Decimal
    completion: float
    completion_part: float
    growth: float | None  # None: undefined (prior year 0)
    growth_part: float | None
    growth_rank: int | None
    method: str
    alpha: Decimal
    score: float


@dataclass(frozen=True)
class RecordLine:
    type: str
    name: str
    expected: int
    on_time: int
    missing: tuple[int, ...]
    late: tuple[int, ...]


@dataclass(frozen=True)
class UnitBreakdown:
    """A unit's indicators and process records: what its team, leader and deputies share."""

    unit: str
    name: str
    k: float
    indicators: tuple[IndicatorLine, ...]
    process_points: Decimal
    process_score: float
    records: tuple[RecordLine, ...]


@dataclass(frozen=True)
class KRule:
    overseen: tuple[str, ...] | None  # a deputy's indicators; None: the unit's K
    unit: UnitBreakdown


@dataclass(frozen=True)
class PanelBreakdown:
    mode: str
    sheets: int
    trimmed: bool
    dimensions: tuple[tuple[str, float], ...]  # score mode: (dimension, P_ic)
    mean_rank: float | None  # rank mode


@dataclass(frozen=True)
class GroupLine:
    group: str
    name: str
    weight: Decimal
    counts: tuple[tuple[str, int], ...]  # (grade, number)
    mean: float | None  # None: no valid grade from this group


@dataclass(frozen=True)
class BallotBreakdown:
    groups: tuple[GroupLine, ...]
    excellence_rate: Fraction
    bottom_rate: Fraction
    grades_counted: int


@dataclass(frozen=True)
class EventLine:
    item: str
    name: str
    count: int
    points: Decimal
    cap: Decimal
    value: Decimal  # min(points × count, cap), exact


@dataclass(frozen=True)
class EventsBreakdown:
    events: tuple[EventLine, ...]
    max: Decimal | None  # the total cap


@dataclass(frozen=True)
class Breakdown:
    candidate: CandidateScore
    k: KRule
    p: PanelBreakdown
    m: BallotBreakdown
    b: EventsBreakdown
    d: EventsBreakdown
    weights: Mapping[str, Decimal]  # K, P, M


@dataclass
class Result:
    scheme: Scheme
    facts: Facts
    quantified: Quantified
    categories: dict[str, CategoryResult]  # keyed by Category
    engine_version: str = ENGINE_VERSION

    @property
    def input_hash(self) -> str:
        return self.facts.input_hash

    @property
    def scheme_hash(self) -> str:
        return self.scheme.source_hash

    @property
    def scheme_version(self) -> str:
        return self.scheme.version

    @property
    def year(self) -> int:
        return self.facts.year

    @cached_property
    def _index(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.facts.cand_ids)}

    def position(self, candidate_id: str) -> tuple[CategoryResult, int]:
        """The candidate's category and place among its members; KeyError when unknown."""
        index = self._index[candidate_id]
        category = self.categories[CATEGORIES[int(self.facts.cand_category[index])]]
        local = int(np.searchsorted(category.members, index))
        return category, local

    def score_at(self, category: CategoryResult, at: int) -> CandidateScore:
        facts = self.facts
        i = int(category.members[at])
        u = int(facts.cand_unit[i])
        return CandidateScore(
            id=facts.cand_ids[i], name=facts.cand_names[i], category=category.category,
            unit=facts.unit_ids[u], unit_name=facts.unit_names[u],
            k=cents(category.k[at]), p=cents(category.p[at]), m=cents(category.m[at]),
            b=cents(category.b[at]), d=cents(category.d[at]), s=cents(category.s[at]),
            rank=int(category.rank[at]), tied=bool(category.tied[at]),
            excellence_rate=category.e(at), bottom_rate=category.u(at),
            grades_counted=int(category.ballots_counted[at]),
            panel_sheets=int(category.panel_judges[at]), reasons=tuple(category.reasons[at]),
            incomplete=tuple(category.incomplete[at]), status=category.status_of(at),
        )  # fmt: skip

    def candidate(self, candidate_id: str) -> CandidateScore:
        return self.score_at(*self.position(candidate_id))

    def candidates(self, category: Category | str) -> list[CandidateScore]:
        """The category's candidates in rank order (ties in input order)."""
        result = self.categories[Category(category)]
        return [self.score_at(result, int(at)) for at in result.order]

    def category_keys(self) -> list[str]:
        return list(self.categories)

    def ranked(self, category: str, *, explain: bool
               ) -> Iterator[tuple[CandidateScore, Breakdown | None]]:  # fmt: skip
        """The category's rows in rank order, each with its breakdown when `explain`."""
        result = self.categories[Category(category)]
        for at in result.order.tolist():
            row = self.score_at(result, at)
            yield row, self.breakdown_at(result, at, row) if explain else None

    def unit_breakdowns(self) -> Iterator[UnitBreakdown]:
        for u in range(len(self.facts.unit_ids)):
            yield self.unit_breakdown(u)

    def summary(self, category: Category | str) -> CategorySummary:
        result = self.categories[Category(category)]
        spec = result.spec
        ids = self.facts.cand_ids

        def marked(mask: np.ndarray) -> tuple[str, ...]:
            return tuple(ids[int(result.members[at])] for at in result.order if mask[at])

        return CategorySummary(
            category=result.category, name=spec.name, quota=spec.quota, threshold=spec.threshold,
            unit_cap=spec.unit_cap, awarded=marked(result.awarded),
            boundary_tie=marked(result.boundary_tie), unit_cap_tie=marked(result.unit_cap_tie),
            seats_for_deliberation=result.seats_for_deliberation, empty_seats=result.empty_seats,
            void_sheets=result.panel.void_sheets, void_sessions=result.ballot.void_sessions,
            void_ballots=result.ballot.void_ballots,
        )  # fmt: skip

    @cached_property
    def _units(self) -> dict[int, UnitBreakdown]:
        return {}

    @cached_property
    def _event_counts(self) -> tuple[list[list[int]], list[list[int]]]:
        return self.facts.bonus_counts.tolist(), self.facts.deduction_counts.tolist()

    def unit_breakdown(self, unit: int | str) -> UnitBreakdown:
        u = self.facts.unit_ids.index(unit) if isinstance(unit, str) else unit
        if u not in self._units:
            self._units[u] = self._unit_breakdown(u)
        return self._units[u]

    def _unit_breakdown(self, u: int) -> UnitBreakdown:
        scheme, facts, q = self.scheme, self.facts, self.quantified
        lines = []
        for j, ind in enumerate(scheme.indicators):
            growth = _finite(q.growth[u, j])
            actual, plan, prior = facts.ind_exact[(u, j)]
            lines.append(IndicatorLine(
                indicator=ind.id, name=ind.name, points=ind.points, actual=actual, plan=plan,
                prior=prior, completion=float(q.completion[u, j]),
                completion_part=float(q.s_a[u, j]), growth=growth,
                growth_part=None if growth is None else float(q.s_b[u, j]),
                growth_rank=None if growth is None else int(q.growth_rank[u, j]),
                method=ind.growth_method, alpha=ind.alpha, score=float(q.s[u, j]),
            ))  # fmt: skip
        records = []
        for k, record in enumerate(scheme.records):
            missing, late = facts.records_detail.get((u, k), ([], []))
            records.append(RecordLine(record.type, record.name, record.expected,
                                      int(facts.records_on_time[u, k]), tuple(missing),
                                      tuple(late)))  # fmt: skip
        return UnitBreakdown(facts.unit_ids[u], facts.unit_names[u], float(q.k_unit[u]),
                             tuple(lines), scheme.process_points, float(q.s_proc[u]),
                             tuple(records))  # fmt: skip

    def breakdown(self, candidate_id: str) -> Breakdown:
        return self.breakdown_at(*self.position(candidate_id))

    def breakdown_at(self, category: CategoryResult, at: int,
                     row: CandidateScore | None = None) -> Breakdown:  # fmt: skip
        scheme, facts = self.scheme, self.facts
        spec = category.spec
        i = int(category.members[at])
        chosen = category.overseen.get(at)
        k_rule = KRule(None if chosen is None else tuple(scheme.indicators[j].id for j in chosen),
                       self.unit_breakdown(int(facts.cand_unit[i])))  # fmt: skip
        row = row or self.score_at(category, at)
        part = category.panel
        dims: tuple[tuple[str, float], ...] = ()
        if part.dimensions is not None:
            dims = tuple(zip(spec.dimensions, part.dimensions[at].tolist(), strict=False))
        sheets = row.panel_sheets
        panel = PanelBreakdown(spec.panel.mode, sheets, sheets > spec.panel.trim_above, dims,
                               None if part.mean_rank is None else _finite(part.mean_rank[at]))  # fmt: skip
        counts = category.ballot.counts[at].tolist()
        means = category.ballot.group_mean[at].tolist()
        groups = []
        for g, group in enumerate(spec.ballot.groups):
            groups.append(GroupLine(
                group, spec.ballot.group_names[g], spec.ballot.group_weights[g],
                tuple(zip(spec.ballot.grades, counts[g], strict=True)),
                means[g] if sum(counts[g]) else None,
            ))  # fmt: skip
        ballot = BallotBreakdown(tuple(groups), row.excellence_rate, row.bottom_rate,
                                 row.grades_counted)  # fmt: skip
        return Breakdown(
            candidate=row,
            k=k_rule,
            p=panel,
            m=ballot,
            b=_events(self._event_counts[0][i], scheme.bonus_items, scheme.bonus_max),
            d=_events(self._event_counts[1][i], scheme.deduction_items, scheme.deduction_max),
            weights=dict(spec.weights),
        )


def _events(counts: list[int], items: tuple[Item, ...], total: Decimal | None
            ) -> EventsBreakdown:  # fmt: skip
    lines = tuple(
        EventLine(item.id, item.name, n, item.points, item.cap, min(item.points * n, item.cap))
        for item, n in zip(items, counts, strict=True) if n
    )  # fmt: skip
    return EventsBreakdown(lines, total)
