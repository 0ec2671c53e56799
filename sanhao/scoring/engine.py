"""The engine: SCORING.md steps 0–7 for every category, vectorised over candidates.

`compute(scheme, facts)` returns a `Result`: per category, each candidate's K, P, M,
B, D and S in cents, its rank, tie marks, eligibility with reasons and award; and
`Result.explain(candidate)` gives the breakdown of every number. Floats are used
where the result cannot depend on them: each rounded value is exact (rounding.py),
and S is computed in integers from the rounded components.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from sanhao.scoring.facts import Facts
from sanhao.scoring.rounding import round_cents
from sanhao.scoring.scheme import CATEGORIES, Category, Scheme

ENGINE_VERSION = "1.0.0"


def _fraction(value: float | Decimal | int) -> Fraction:
    """The exact value a float input stands for (its shortest decimal repr)."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def _scale(values: list[Decimal]) -> tuple[list[int], int]:
    """Decimals as integers over a common power of ten: ([4, 3, 3], 10) for 0.4, 0.3, 0.3."""
    places = max((-v.as_tuple().exponent for v in values if v.as_tuple().exponent < 0), default=0)  # type: ignore[operator]
    factor = 10**places
    return [int(v * factor) for v in values], factor


def ceil_times(share: Decimal, counts: np.ndarray) -> np.ndarray:
    """⌈share·n⌉ for every n, exactly, in integers."""
    ratio = Fraction(share)
    return (ratio.numerator * counts.astype(np.int64) + ratio.denominator - 1) // ratio.denominator


def segment_reduce(ufunc: np.ufunc, values: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                   empty: float) -> np.ndarray:  # fmt: skip
    """ufunc over the rows values[starts[i]:ends[i]] (sorted segments); `empty` where none."""
    out = np.full((len(starts), *values.shape[1:]), empty, dtype=np.float64)
    filled = ends > starts
    if filled.any():
        out[filled] = ufunc.reduceat(values, starts[filled], axis=0)
    return out


# Step 1 — quantified score K ----------------------------------------------------------


@dataclass
class Quantified:
    """Per unit and indicator: completion, growth and the points they earn."""

    completion: np.ndarray  # c_ij, clamped
    growth: np.ndarray  # g_ij, NaN where undefined
    s_a: np.ndarray
    s_b: np.ndarray  # efficacy or rank part
    s: np.ndarray  # per indicator, NaN-free
    growth_rank: np.ndarray  # rank by growth among defined (0 where undefined)
    g_min: np.ndarray
    g_max: np.ndarray
    s_proc: np.ndarray  # per unit
    k_unit: np.ndarray  # per unit, unrounded


def quantify(scheme: Scheme, facts: Facts) -> Quantified:
    n_u, n_j = facts.actual.shape
    a, p, y = facts.actual, facts.plan, facts.prior
    lower = np.array([ind.lower_is_better for ind in scheme.indicators], dtype=bool)
    points = np.array([float(ind.points) for ind in scheme.indicators])
    alpha = np.array([float(ind.alpha) for ind in scheme.indicators])
    rank_method = np.array([ind.growth_method == "rank" for ind in scheme.indicators], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        higher_c = a / p
        lower_c = np.where(a == 0, 1.0, p / a)
        completion = np.clip(np.where(lower, lower_c, higher_c), 0.0, 1.0)
        defined = y != 0
        growth = np.where(lower, y - a, a - y) / np.abs(y)
    growth = np.where(defined, growth, np.nan)
    s_a = points * completion
    # Growth equal to 12 decimal places is equal: it shares a rank and spans no range.
    key = np.where(defined, np.round(growth, 12), np.nan)
    g_min = np.nanmin(np.where(defined, key, np.inf), axis=0) if n_u else np.zeros(n_j)
    g_max = np.nanmax(np.where(defined, key, -np.inf), axis=0) if n_u else np.zeros(n_j)
    span = g_max - g_min
    with np.errstate(divide="ignore", invalid="ignore"):
        efficacy = points * (0.6 + 0.4 * (key - g_min) / np.where(span > 0, span, 1.0))
    efficacy = np.where(span > 0, efficacy, points)
    growth_rank = np.zeros((n_u, n_j), dtype=np.int64)
    for j in range(n_j):
        col = key[:, j]
        ok = ~np.isnan(col)
        ordered = np.sort(col[ok])[::-1]
        # rank = 1 + number of units with a strictly higher growth (1, 2, 2, 4)
        growth_rank[ok, j] = np.searchsorted(-ordered, -col[ok], side="left") + 1
    rank_part = points * np.maximum(0.0, 1.0 - 0.05 * (growth_rank - 1))
    s_b = np.where(rank_method, rank_part, efficacy)
    s = np.where(defined, alpha * s_a + (1 - alpha) * s_b, s_a)
    expected = np.array([r.expected for r in scheme.records], dtype=np.float64)
    total_expected = expected.sum()
    proc_points = float(scheme.process_points)
    if total_expected > 0:
        s_proc = proc_points * facts.records_on_time.sum(axis=1) / total_expected
    else:
        s_proc = np.full(n_u, proc_points)
    total_points = points.sum() + proc_points
    k_unit = 100 * (s.sum(axis=1) + s_proc) / total_points if total_points else np.zeros(n_u)
    return Quantified(completion, growth, s_a, s_b, s, growth_rank, g_min, g_max, s_proc, k_unit)


class ExactK:
    """The same K with fractions, for the few values that sit on a half cent."""

    def __init__(self, scheme: Scheme, facts: Facts, q: Quantified) -> None:
        self.scheme, self.facts, self.q = scheme, facts, q

    @cached_property
    def growth(self) -> dict[tuple[int, int], Fraction | None]:
        result: dict[tuple[int, int], Fraction | None] = {}
        for (u, j), (a, _p, y) in self.facts.ind_exact.items():
            lower = self.scheme.indicators[j].lower_is_better
            result[(u, j)] = (
                None if y == 0 else Fraction((y - a) if lower else (a - y)) / abs(Fraction(y))
            )
        return result  # fmt: skip

    @cached_property
    def bounds(self) -> list[tuple[Fraction, Fraction] | None]:
        out: list[tuple[Fraction, Fraction] | None] = []
        for j in range(len(self.scheme.indicators)):
            values = [g for (_u, jj), g in self.growth.items() if jj == j and g is not None]
            out.append((min(values), max(values)) if values else None)
        return out

    def s(self, u: int, j: int) -> Fraction:
        ind = self.scheme.indicators[j]
        a, p, _y = (Fraction(v) for v in self.facts.ind_exact[(u, j)])
        c = (Fraction(1) if a == 0 else p / a) if ind.lower_is_better else a / p
        w = Fraction(ind.points)
        s_a = w * min(max(c, Fraction(0)), Fraction(1))
        g = self.growth[(u, j)]
        if g is None:
            return s_a
        if ind.growth_method == "rank":
            rank = int(self.q.growth_rank[u, j])
            s_b = w * max(Fraction(0), 1 - Fraction(rank - 1, 20))
        else:
            low, high = self.bounds[j]  # type: ignore[misc]
            s_b = (
                w
                if high == low
                else w * (Fraction(3, 5) + Fraction(2, 5) * (g - low) / (high - low))
            )
        alpha = Fraction(ind.alpha)
        return alpha * s_a + (1 - alpha) * s_b

    def s_proc(self, u: int) -> Fraction:
        total = sum(r.expected for r in self.scheme.records)
        if total == 0:
            return Fraction(self.scheme.process_points)
        held = int(self.facts.records_on_time[u].sum())
        return Fraction(self.scheme.process_points) * held / total

    def k(self, u: int, indicators: tuple[int, ...] | None = None) -> Fraction:
        chosen = range(len(self.scheme.indicators)) if indicators is None else indicators
        points = sum((Fraction(self.scheme.indicators[j].points) for j in chosen), Fraction(0))
        total = points + Fraction(self.scheme.process_points)
        if total == 0:
            return Fraction(0)
        return 100 * (sum((self.s(u, j) for j in chosen), Fraction(0)) + self.s_proc(u)) / total


# Results ---------------------------------------------------------------------------------


@dataclass
class CategoryResult:
    key: str
    spec: Category
    members: np.ndarray  # candidate indices, in input order
    k: np.ndarray  # cents, int64
    p: np.ndarray
    m: np.ndarray
    b: np.ndarray
    d: np.ndarray
    s: np.ndarray
    top: np.ndarray  # top grades received (for the excellence rate e)
    bottom: np.ndarray  # bottom grades received (for the bottom-grade rate u)
    panel_judges: np.ndarray  # R: valid sheets that scored the candidate
    ballots_counted: np.ndarray  # n: valid, non-abstaining grades
    incomplete: list[list[str]]
    reasons: list[list[str]]
    rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    awarded: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    boundary_tie: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    skipped_cap: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    empty_seats: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def eligible(self) -> np.ndarray:
        return np.array([not r for r in self.reasons], dtype=bool)

    def e(self, at: int) -> Fraction:
        n = int(self.ballots_counted[at])
        return Fraction(int(self.top[at]), n) if n else Fraction(0)

    def u(self, at: int) -> Fraction:
        n = int(self.ballots_counted[at])
        return Fraction(int(self.bottom[at]), n) if n else Fraction(0)


@dataclass
class Result:
    scheme: Scheme
    facts: Facts
    quantified: Quantified
    categories: dict[str, CategoryResult]

    def position(self, candidate_id: str) -> tuple[CategoryResult, int]:
        index = self.facts.cand_ids.index(candidate_id)
        category = self.categories[CATEGORIES[self.facts.cand_category[index]]]
        local = int(np.flatnonzero(category.members == index)[0])
        return category, local


# Step 2 — panel score P -------------------------------------------------------------------


def _panel(spec: Category, key: int, facts: Facts, members: np.ndarray, local: np.ndarray,
           details: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, Any]:  # fmt: skip
    n = len(members)
    sheets_of = facts.sheet_category == key
    in_cat = sheets_of[facts.cell_sheet] if len(facts.cell_sheet) else np.zeros(0, dtype=bool)
    cells = np.flatnonzero(in_cat)
    n_dims = len(spec.dimensions)
    if spec.panel.mode == "rank":
        return _panel_rank(spec, facts, cells, local, n, details)
    scores = facts.cell_scores[cells, :n_dims]
    totals = np.round(scores.sum(axis=1), 9)
    sheet = facts.cell_sheet[cells]
    # Void sheets (SCORING.md step 2): all totals equal, or too many totals ≥ void_high_total.
    n_sheets = len(facts.sheet_ids)
    by_sheet = np.argsort(sheet, kind="stable")
    sheet_ids = np.arange(n_sheets)
    first = np.searchsorted(sheet[by_sheet], sheet_ids, side="left")
    last = np.searchsorted(sheet[by_sheet], sheet_ids, side="right")
    t_max = segment_reduce(np.maximum, totals[by_sheet], first, last, -np.inf)
    t_min = segment_reduce(np.minimum, totals[by_sheet], first, last, np.inf)
    per_sheet = last - first
    high = np.bincount(sheet, weights=totals >= float(spec.panel.void_high_total),
                       minlength=n_sheets)  # fmt: skip
    limit = ceil_times(spec.panel.void_high_share, per_sheet)
    flat = (per_sheet >= 2) & (t_max == t_min)
    too_high = high > limit
    void = sheets_of & (flat | too_high)
    details["void_sheets"] = {
        facts.sheet_ids[s]: ("所有候选对象总分相同" if flat[s] else
                             f"总分 ≥ {spec.panel.void_high_total} 的超过 {limit[s]} 个")
        for s in np.flatnonzero(void)
    }  # fmt: skip
    keep = ~void[sheet]
    cells, scores = cells[keep], scores[keep]
    who = local[facts.cell_cand[cells]]
    order = np.argsort(who, kind="stable")
    who, scores, cells = who[order], scores[order], cells[order]
    everyone = np.arange(n)
    starts = np.searchsorted(who, everyone, side="left")
    ends = np.searchsorted(who, everyone, side="right")
    r = ends - starts
    sums = segment_reduce(np.add, scores, starts, ends, 0.0)
    highs = segment_reduce(np.maximum, scores, starts, ends, 0.0)
    lows = segment_reduce(np.minimum, scores, starts, ends, 0.0)
    trim = r > spec.panel.trim_above
    with np.errstate(divide="ignore", invalid="ignore"):
        trimmed = (sums - highs - lows) / (r - 2)[:, None]
        plain = sums / r[:, None]
    per_dim = np.where(trim[:, None], trimmed, plain)
    per_dim = np.where(r[:, None] > 0, per_dim, 0.0)

    def exact(i: int) -> Fraction:
        block = [[_fraction(float(x)) for x in row] for row in scores[starts[i] : ends[i]]]
        return _exact_p(block, spec.panel.trim_above)

    details["panel_cells"] = (cells, starts, ends)
    details["panel_dims"] = per_dim
    return per_dim.sum(axis=1), r, exact


def _exact_p(rows: list[list[Fraction]], trim_above: int) -> Fraction:
    """P for one candidate from its valid sheets' scores, exactly (also the reference)."""
    if not rows:
        return Fraction(0)
    total = Fraction(0)
    for column in zip(*rows, strict=True):
        values = sorted(column)
        if len(values) > trim_above:
            values = values[1:-1]
        total += sum(values, Fraction(0)) / len(values)
    return total


def _panel_rank(spec: Category, facts: Facts, cells: np.ndarray, local: np.ndarray, n: int,
                details: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, Any]:  # fmt: skip
    who = local[facts.cell_cand[cells]]
    ranks = facts.cell_scores[cells, 0]
    r = np.bincount(who, minlength=n)
    sums = np.bincount(who, weights=ranks, minlength=n)
    details["void_sheets"] = {}
    details["panel_cells"] = None
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_rank = sums / r
    p = np.where(r > 0, 100 * (n - mean_rank) / max(n - 1, 1), 0.0)
    details["mean_rank"] = mean_rank
    sums_int = sums.astype(np.int64)

    def exact(i: int) -> Fraction:
        return 100 * (n - Fraction(int(sums_int[i]), int(r[i]))) / max(n - 1, 1)

    return p, r, exact


# Step 3 — ballot score M --------------------------------------------------------------------


def _ballots(spec: Category, key: int, facts: Facts, members: np.ndarray, local: np.ndarray,
             details: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, Any]:  # fmt: skip
    n = len(members)
    ballot = spec.ballot
    n_groups, n_grades = len(ballot.groups), len(ballot.grades)
    # Sessions: void when more came back than were issued, or fewer than the quorum voted.
    quorum = Fraction(ballot.quorum)
    returned = facts.session_returned
    session_ok = (returned <= facts.session_issued) & (
        returned * quorum.denominator >= facts.session_invited * quorum.numerator
    )
    details["void_sessions"] = {
        facts.session_ids[s]: ("收回票数多于发出票数" if returned[s] > facts.session_issued[s]
                               else f"投票人数不足应到人数的 {ballot.quorum}")
        for s in np.flatnonzero(~session_ok)
    }  # fmt: skip
    in_cat = facts.cand_category[facts.bcell_cand] == key if len(facts.bcell_cand) else np.zeros(
        0, dtype=bool)  # fmt: skip
    cells = np.flatnonzero(in_cat & session_ok[facts.ballot_session[facts.bcell_ballot]]
                           if len(facts.bcell_cand) else in_cat)  # fmt: skip
    b = facts.bcell_ballot[cells]
    grade = facts.bcell_grade[cells].astype(np.int64)
    # A ballot's part for this category is void when it gives the top grade too often.
    n_ballots = len(facts.ballot_ids)
    on_ballot = np.bincount(b, minlength=n_ballots)
    tops = np.bincount(b, weights=grade == 0, minlength=n_ballots)
    limits = ceil_times(ballot.top_share, on_ballot)
    void = (on_ballot > 0) & (tops > limits)
    details["void_ballots"] = int(void.sum())
    keep = ~void[b] & (grade >= 0)
    who = local[facts.bcell_cand[cells[keep]]]
    group = facts.ballot_group[b[keep]].astype(np.int64)
    counts = np.bincount((who * n_groups + group) * n_grades + grade[keep],
                         minlength=n * n_groups * n_grades).reshape(n, n_groups, n_grades)  # fmt: skip
    agg = facts.cand_category[facts.agg_cand] == key if len(facts.agg_cand) else np.zeros(
        0, dtype=bool)  # fmt: skip
    agg &= session_ok[facts.agg_session] if len(facts.agg_cand) else agg
    np.add.at(counts, (local[facts.agg_cand[agg]], facts.agg_group[agg].astype(np.int64),
                       facts.agg_grade[agg].astype(np.int64)), facts.agg_n[agg])  # fmt: skip
    points = np.array(ballot.points, dtype=np.float64)
    per_group_n = counts.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        group_mean = (counts * points).sum(axis=2) / per_group_n
    present = per_group_n > 0
    weights = np.array([float(w) for w in ballot.group_weights])
    wsum = (present * weights).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(present, group_mean, 0.0) @ weights / wsum
    m = np.where(wsum > 0, m, 0.0)
    details["counts"] = counts
    details["group_mean"] = group_mean

    def exact(i: int) -> Fraction:
        return _exact_m(counts[i], ballot.points, ballot.group_weights)

    return m, counts, exact


def _exact_m(counts: np.ndarray, points: tuple[int, ...], weights: tuple[Decimal, ...]) -> Fraction:
    """M for one candidate from its grade counts per group, exactly (also the reference)."""
    num, den = Fraction(0), Fraction(0)
    for g, row in enumerate(counts):
        total = int(row.sum())
        if total == 0:
            continue
        mean = Fraction(sum(int(c) * p for c, p in zip(row, points, strict=True)), total)
        num += Fraction(weights[g]) * mean
        den += Fraction(weights[g])
    return num / den if den else Fraction(0)


# Step 4 — bonus and deduction -----------------------------------------------------------------


def _capped_cents(
    counts: np.ndarray, items: tuple[Any, ...], total_cap: Decimal | None
) -> np.ndarray:
    if not items:
        return np.zeros(len(counts), dtype=np.int64)
    per = np.array([int(item.points * 100) for item in items], dtype=np.int64)
    caps = np.array([int(item.cap * 100) for item in items], dtype=np.int64)
    cents = np.minimum(counts * per, caps).sum(axis=1)
    if total_cap is not None:
        cents = np.minimum(cents, int(total_cap * 100))
    return cents


# Steps 5–7 -------------------------------------------------------------------------------------


def compute(scheme: Scheme, facts: Facts) -> Result:
    q = quantify(scheme, facts)
    exact_k = ExactK(scheme, facts, q)
    categories: dict[str, CategoryResult] = {}
    for key, name in enumerate(CATEGORIES):
        if name in scheme.categories:
            categories[name] = _category(scheme, scheme.categories[name], key, facts, q, exact_k)
    team_bottom = _team_bottom(facts, categories.get("team"))
    for result in categories.values():
        if result.spec.team_bottom_gate and team_bottom is not None:
            for local, i in enumerate(result.members):
                if facts.cand_unit[i] in team_bottom:
                    result.reasons[local].append("所在班子排名处于后三分之一")
        _rank_and_award(result, facts)
    return Result(scheme, facts, q, categories)


def _category(scheme: Scheme, spec: Category, key: int, facts: Facts, q: Quantified,
              exact_k: ExactK) -> CategoryResult:  # fmt: skip
    members = np.flatnonzero(facts.cand_category == key)
    n = len(members)
    local = np.full(facts.n_candidates, -1, dtype=np.int64)
    local[members] = np.arange(n)
    details: dict[str, Any] = {}
    units = facts.cand_unit[members]
    # K: the unit's, or for a deputy the indicators they oversee plus the process records.
    k_float = q.k_unit[units].copy()
    overseen: dict[int, tuple[int, ...]] = {}
    points = np.array([float(ind.points) for ind in scheme.indicators])
    for i, chosen in facts.oversees.items() if key == 2 else ():
        at = int(local[i])
        if at >= 0 and chosen:
            overseen[at] = chosen
            idx = list(chosen)
            total = points[idx].sum() + float(scheme.process_points)
            k_float[at] = 100 * (q.s[units[at], idx].sum() + q.s_proc[units[at]]) / total
    k = round_cents(k_float, lambda at: exact_k.k(int(units[at]), overseen.get(at)))
    p_float, r, exact_p = _panel(spec, key, facts, members, local, details)
    p = round_cents(p_float, exact_p)
    m_float, counts, exact_m = _ballots(spec, key, facts, members, local, details)
    m = round_cents(m_float, exact_m)
    b = _capped_cents(facts.bonus_counts[members], scheme.bonus_items, scheme.bonus_max)
    d = _capped_cents(facts.deduction_counts[members], scheme.deduction_items, scheme.deduction_max)
    incomplete: list[list[str]] = [[] for _ in range(n)]
    for at in np.flatnonzero(r == 0).tolist():
        incomplete[at].append("P")
        p[at] = 0
    total_grades = counts.sum(axis=(1, 2))
    for at in np.flatnonzero(total_grades == 0).tolist():
        incomplete[at].append("M")
        m[at] = 0
    # S from the rounded components, in integers: weights over a power of ten.
    (wk, wp, wm), factor = _scale([spec.weights["K"], spec.weights["P"], spec.weights["M"]])
    numerator = wk * k + wp * p + wm * m + factor * (b - d)
    s = np.sign(numerator) * ((np.abs(numerator) * 2 + factor) // (2 * factor))
    top = counts[:, :, 0].sum(axis=1)
    bottom = counts[:, :, -1].sum(axis=1)
    limit = spec.ballot.bottom_limit
    too_low = bottom * limit.denominator > total_grades * limit.numerator
    short = facts.cand_months[members] < spec.min_months_in_post
    reasons: list[list[str]] = [[] for _ in range(n)]
    veto_names = scheme.veto_kinds
    # Only the candidates a rule applies to are visited: the loops do not grow with n.
    for i in sorted(facts.vetoes):
        if local[i] >= 0:
            for kind, note in facts.vetoes[i]:
                reason = f"一票否决：{veto_names.get(kind, kind)}" + (f"（{note}）" if note else "")
                reasons[int(local[i])].append(reason)
    rules = [
        (short, f"年度内任职不满 {spec.min_months_in_post} 个月"),
        (too_low, f"“{spec.ballot.grades[-1]}”票占比超过 {spec.ballot.bottom_limit}"),
        (r == 0, "缺少有效的述职评分（待工作专班处理）"),
        (total_grades == 0, "缺少有效的测评票（待工作专班处理）"),
    ]
    for applies, reason in rules:
        for at in np.flatnonzero(applies).tolist():
            reasons[at].append(reason)
    details["overseen"] = overseen
    return CategoryResult(
        key=CATEGORIES[key], spec=spec, members=members, k=k, p=p, m=m, b=b, d=d,
        s=s.astype(np.int64), top=top, bottom=bottom, panel_judges=r, ballots_counted=total_grades,
        incomplete=incomplete, reasons=reasons, details=details,
    )  # fmt: skip


def _team_bottom(facts: Facts, teams: CategoryResult | None) -> set[int] | None:
    """Units whose team ranks in the last ⌊N/3⌋ places of the team ranking."""
    if teams is None or len(teams.members) == 0:
        return None
    ranking = _ranking(teams)
    n = len(teams.members)
    cut = n - n // 3
    return {int(facts.cand_unit[teams.members[at]]) for at in range(n) if ranking[0][at] > cut}


def _sort_keys(result: CategoryResult) -> list[np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        # equal fractions give equal floats: IEEE division is correctly rounded
        e_keys = np.where(result.ballots_counted > 0, result.top / result.ballots_counted, 0.0)
    keys = {"K": result.k, "M": result.m, "P": result.p, "e": e_keys}
    return [-result.s.astype(np.float64)] + [
        -keys[name].astype(np.float64) for name in result.spec.tie_break
    ]


def _ranking(result: CategoryResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Competition ranks (1, 2, 2, 4) after the tie-breaks, the order, and tie marks."""
    keys = _sort_keys(result)
    n = len(result.members)
    # lexsort sorts by the last key first; input order breaks nothing: equal keys tie.
    order = np.lexsort(keys[::-1]) if n else np.zeros(0, dtype=np.int64)
    stacked = np.stack([k[order] for k in keys], axis=1) if n else np.zeros((0, len(keys)))
    new_group = np.ones(n, dtype=bool)
    if n > 1:
        new_group[1:] = np.any(stacked[1:] != stacked[:-1], axis=1)
    positions = np.arange(1, n + 1)
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0)) if n else positions
    rank = np.zeros(n, dtype=np.int64)
    rank[order] = group_start
    sizes = np.bincount(group_start, minlength=n + 2)
    tied = np.zeros(n, dtype=bool)
    tied[order] = sizes[group_start] > 1
    return rank, order, tied


def _rank_and_award(result: CategoryResult, facts: Facts) -> None:
    rank, order, tied = _ranking(result)
    result.rank, result.order, result.tied = rank, order, tied
    n = len(result.members)
    awarded = np.zeros(n, dtype=bool)
    boundary = np.zeros(n, dtype=bool)
    skipped = np.zeros(n, dtype=bool)
    eligible = result.eligible
    spec = result.spec
    threshold = None if spec.threshold is None else int(spec.threshold * 100)
    seats = spec.quota
    per_unit: dict[int, int] = {}
    at = 0
    while at < n and seats > 0:
        group = [int(order[at])]
        while at + len(group) < n and rank[order[at + len(group)]] == rank[group[0]]:
            group.append(int(order[at + len(group)]))
        at += len(group)
        if threshold is not None and result.s[group[0]] < threshold:
            break  # sorted by S: nobody further down reaches the threshold
        takers = []
        for c in group:
            if not eligible[c] or (threshold is not None and result.s[c] < threshold):
                continue
            unit = int(facts.cand_unit[result.members[c]])
            if spec.unit_cap and per_unit.get(unit, 0) >= spec.unit_cap:
                skipped[c] = True
                continue
            takers.append(c)
        if spec.unit_cap:
            # Members of one tie may still exceed their unit's cap together.
            by_unit: dict[int, int] = {}
            for c in takers:
                unit = int(facts.cand_unit[result.members[c]])
                by_unit[unit] = by_unit.get(unit, 0) + 1
            if any(per_unit.get(u, 0) + k > spec.unit_cap for u, k in by_unit.items()):
                boundary[takers] = True
                break
        if len(takers) <= seats:
            awarded[takers] = True
            seats -= len(takers)
            for c in takers:
                unit = int(facts.cand_unit[result.members[c]])
                per_unit[unit] = per_unit.get(unit, 0) + 1
        else:
            # A tie across the quota line: nobody of it is awarded automatically.
            boundary[takers] = True
            break
    result.awarded, result.boundary_tie, result.skipped_cap = awarded, boundary, skipped
    result.empty_seats = seats if not boundary.any() else 0
    result.details["open_seats"] = seats
