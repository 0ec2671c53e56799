"""The engine: docs/scoring.md §0–§7 for every category, vectorised over candidates.

`compute(scheme, facts)` returns a `Computation`: per category, each candidate's K, P, M,
B, D and S in cents, its rank, tie marks, eligibility reasons (codes) and status. The
public entry point is `sanhao.scoring.score`, which wraps it in a typed `Result`.

Exactness (docs/scoring.md §5, "Exact numbers"): floats are used only where the result
cannot depend on them. Growths are compared as exact rationals; every rounded value is
exact (rounding.py recomputes with fractions what lies near a half cent); B, D and S are
computed in integers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from itertools import chain

import numpy as np

from sanhao.scoring.codes import (
    CATEGORIES,
    Category,
    Component,
    Reason,
    ReasonCode,
    Status,
    VoidCode,
)
from sanhao.scoring.facts import Facts
from sanhao.scoring.formats import PANEL_PLACES
from sanhao.scoring.gcpause import paused_gc
from sanhao.scoring.rounding import round_cents
from sanhao.scoring.scheme import CategoryRules, Item, Scheme

ENGINE_VERSION = "2.0.0"
STATUSES: tuple[Status, ...] = tuple(Status)


def _fraction(value: float | Decimal | int) -> Fraction:
    """The exact value a float input stands for (its shortest decimal repr)."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def _scale(values: list[Decimal]) -> tuple[list[int], int]:
    """Decimals as integers over a common power of ten: ([4, 3, 3], 10) for 0.4, 0.3, 0.3."""
    places = max((-int(v.as_tuple().exponent) for v in values), default=0)
    factor = 10 ** max(places, 0)
    return [int(v * factor) for v in values], factor


def _ratio(share: Decimal) -> tuple[int, int]:
    ratio = Fraction(share)
    return ratio.numerator, ratio.denominator


def ceil_times(share: Decimal, counts: np.ndarray) -> np.ndarray:
    """⌈share·n⌉ for every n, exactly, in integers (kernels.tally computes it as this does)."""
    num, den = _ratio(share)
    return (num * counts.astype(np.int64) + den - 1) // den


def segment_reduce(ufunc: np.ufunc, values: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                   empty: float) -> np.ndarray:  # fmt: skip
    """ufunc over the rows values[starts[i]:ends[i]] (sorted segments); `empty` where none."""
    out = np.full((len(starts), *values.shape[1:]), empty, dtype=np.float64)
    filled = ends > starts
    if filled.any():
        out[filled] = ufunc.reduceat(values, starts[filled], axis=0)
    return out


def exact_dense_keys(approx: np.ndarray, exact: Callable[[int], Fraction], *,
                     trusted: bool = False) -> np.ndarray:  # fmt: skip
    """Dense ranks (0 = smallest) of exact values, equal keys exactly for equal values.

    `approx[i]` must be the correctly rounded float of `exact(i)`, hence monotone in it:
    values with different floats are ordered by them; values sharing a float are compared
    exactly. `trusted`: the caller knows that distinct values never share a float.
    """
    n = len(approx)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(approx, kind="stable")
    ordered = approx[order]
    new = np.ones(n, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    base = np.empty(n, dtype=np.int64)
    base[order] = np.cumsum(new) - 1
    if trusted:
        return base
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, n))
    sub = np.zeros(n, dtype=np.int64)
    tie = sizes > 1
    for start, size in zip(starts[tie].tolist(), sizes[tie].tolist(), strict=True):
        members = order[start : start + size]
        values = [exact(int(i)) for i in members]
        distinct = sorted(set(values))
        if len(distinct) > 1:
            place = {v: k for k, v in enumerate(distinct)}
            sub[members] = [place[v] for v in values]
    if not sub.any():
        return base
    pairs = np.lexsort((sub, base))
    step = np.ones(n, dtype=bool)
    step[1:] = (base[pairs][1:] != base[pairs][:-1]) | (sub[pairs][1:] != sub[pairs][:-1])
    dense = np.empty(n, dtype=np.int64)
    dense[pairs] = np.cumsum(step) - 1
    return dense


# §1 — quantified score K ----------------------------------------------------------------


@dataclass
class Quantified:
    """Per unit and indicator: completion, growth and the points they earn."""

    completion: np.ndarray  # c_ij, clamped
    growth: np.ndarray  # g_ij (correctly rounded), NaN where undefined
    s_a: np.ndarray
    s_b: np.ndarray  # efficacy or rank part
    s: np.ndarray  # per indicator, NaN-free
    growth_rank: np.ndarray  # rank by exact growth among defined (0 where undefined)
    g_min: np.ndarray
    g_max: np.ndarray
    s_proc: np.ndarray  # per unit
    k_unit: np.ndarray  # per unit, unrounded


def _growth_ratio(exact: tuple[Decimal, Decimal, Decimal], lower: bool) -> tuple[int, int] | None:
    """g = (a − y)/|y| (lower is better: (y − a)/|y|) as integers n/d with d > 0; None if y = 0."""
    a_n, a_d = exact[0].as_integer_ratio()
    y_n, y_d = exact[2].as_integer_ratio()
    if y_n == 0:
        return None
    n = a_n * y_d - y_n * a_d
    return (-n if lower else n), a_d * abs(y_n)


def _exact_growth(nums: list[int], dens: list[int]) -> Callable[[int], Fraction]:
    return lambda k: Fraction(nums[k], dens[k])


def quantify(scheme: Scheme, facts: Facts) -> Quantified:
    n_u, n_j = facts.actual.shape
    a, p = facts.actual, facts.plan
    lower = np.array([ind.lower_is_better for ind in scheme.indicators], dtype=bool)
    points = np.array([float(ind.points) for ind in scheme.indicators])
    alpha = np.array([float(ind.alpha) for ind in scheme.indicators])
    rank_method = np.array([ind.growth_method == "rank" for ind in scheme.indicators], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        higher_c = a / p
        lower_c = np.where(a == 0, 1.0, p / a)
        completion = np.clip(np.where(lower, lower_c, higher_c), 0.0, 1.0)
    s_a = points * completion
    growth = np.full((n_u, n_j), np.nan)
    ratio = np.ones((n_u, n_j))  # (g − g_min)/(g_max − g_min), 1 when all growths are equal
    growth_rank = np.zeros((n_u, n_j), dtype=np.int64)
    g_min, g_max = np.full(n_j, np.nan), np.full(n_j, np.nan)
    for j, ind in enumerate(scheme.indicators):
        # §1: growths are equal only when equal as rationals; the floats below are correctly
        # rounded from the exact n/d, so they order the growths, and their ties are resolved
        # exactly.
        found = [(u, _growth_ratio(facts.ind_exact[(u, j)], ind.lower_is_better))
                 for u in range(n_u)]  # fmt: skip
        rows = [(u, g) for u, g in found if g is not None]
        if not rows:
            continue
        units = np.array([u for u, _g in rows], dtype=np.int64)
        nums = [g[0] for _u, g in rows]
        dens = [g[1] for _u, g in rows]
        approx = np.array([n / d for n, d in zip(nums, dens, strict=True)])
        growth[units, j] = approx
        keys = exact_dense_keys(approx, _exact_growth(nums, dens))
        # rank = 1 + the number of units with a strictly higher growth (1, 2, 2, 4)
        at_or_below = np.cumsum(np.bincount(keys))
        growth_rank[units, j] = 1 + len(rows) - at_or_below[keys]
        low, high = int(np.argmin(keys)), int(np.argmax(keys))
        g_min[j], g_max[j] = approx[low], approx[high]
        if keys[high] > keys[low]:
            n0, d0, n1, d1 = nums[low], dens[low], nums[high], dens[high]
            span = n1 * d0 - n0 * d1  # (g_max − g_min)·d0·d1 > 0
            ratio[units, j] = [((n * d0 - n0 * d) * d1) / (d * span)
                               for n, d in zip(nums, dens, strict=True)]  # fmt: skip
    defined = ~np.isnan(growth)
    efficacy = points * (0.6 + 0.4 * ratio)
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

    def growth(self, u: int, j: int) -> Fraction | None:
        g = _growth_ratio(self.facts.ind_exact[(u, j)], self.scheme.indicators[j].lower_is_better)
        return None if g is None else Fraction(*g)

    @cached_property
    def bounds(self) -> list[tuple[Fraction, Fraction] | None]:
        """Per indicator the exact least and greatest growth. The floats are correctly
        rounded, so monotone: the exact extremes are among the units whose float is the
        float extreme, and only those are computed exactly."""
        out: list[tuple[Fraction, Fraction] | None] = []
        growth, g_min, g_max = self.q.growth, self.q.g_min, self.q.g_max
        for j in range(len(self.scheme.indicators)):
            if np.isnan(g_min[j]):
                out.append(None)
                continue
            lows = [self.growth(u, j) for u in np.flatnonzero(growth[:, j] == g_min[j]).tolist()]
            highs = [self.growth(u, j) for u in np.flatnonzero(growth[:, j] == g_max[j]).tolist()]
            out.append((min(g for g in lows if g is not None),
                        max(g for g in highs if g is not None)))  # fmt: skip
        return out

    def s(self, u: int, j: int) -> Fraction:
        ind = self.scheme.indicators[j]
        a, p, _y = (Fraction(v) for v in self.facts.ind_exact[(u, j)])
        c = (Fraction(1) if a == 0 else p / a) if ind.lower_is_better else a / p
        w = Fraction(ind.points)
        s_a = w * min(max(c, Fraction(0)), Fraction(1))
        g = self.growth(u, j)
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


# §2 — panel score P -------------------------------------------------------------------------


@dataclass
class PanelPart:
    p: np.ndarray  # per candidate, unrounded
    sheets: np.ndarray  # R: the valid sheets that scored the candidate
    exact: Callable[[int], Fraction]
    void_sheets: dict[str, Reason]
    # score mode: the valid cells sorted by candidate, with each candidate's [start, end)
    cells: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    dimensions: np.ndarray | None = None  # (candidates, dimensions)
    mean_rank: np.ndarray | None = None  # rank mode


def panel(spec: CategoryRules, facts: Facts, members: np.ndarray, local: np.ndarray) -> PanelPart:
    n = len(members)
    key = spec.category.ordinal
    sheets_of = facts.sheet_category == key
    n_dims = len(spec.dimensions)
    if spec.panel.mode == "rank":
        return _panel_rank(facts, _cells_of(facts, sheets_of), local, n)
    unit = 10**PANEL_PLACES
    high_total = int(spec.panel.void_high_total * unit)
    compiled = _runs_compiled(facts)
    if compiled:  # the same numbers by two compiled passes over the cells (kernels.py)
        from sanhao.scoring import kernels

        per_sheet, t_max, t_min, high = kernels.sheet_totals(
            facts.cell_sheet, facts.cell_scores, n_dims, facts.sheet_category, key, unit,
            high_total,
        )  # fmt: skip
    else:
        per_sheet, t_max, t_min, high = _sheet_totals(facts, sheets_of, n_dims, high_total)
    # Void sheets (§2): all totals equal, or too many totals ≥ void_high_total.
    limit = ceil_times(spec.panel.void_high_share, per_sheet)
    flat = (per_sheet >= 2) & (t_max == t_min)
    too_high = high > limit
    void = sheets_of & (flat | too_high)
    void_sheets = {
        facts.sheet_ids[s]: Reason(VoidCode.SHEET_EQUAL_TOTALS) if flat[s] else
        Reason(VoidCode.SHEET_TOO_MANY_HIGH, {"total": str(spec.panel.void_high_total),
                                              "limit": str(int(limit[s]))})
        for s in np.flatnonzero(void)
    }  # fmt: skip
    if compiled:
        r, sums, highs, lows, cells, starts, ends = kernels.candidate_scores(
            facts.cell_sheet, facts.cell_cand, facts.cell_scores, n_dims, sheets_of & ~void,
            local, n,
        )  # fmt: skip
        if n and (r[0] == 0 or bool(np.any(r != r[0]))):
            # numpy's reduceat adds a candidate's first score to the sum of the others (a
            # pairwise sum), not left to right as the loop and the slabs do: its numbers
            every_score = np.asarray(facts.cell_scores, dtype=np.float64)
            sums, highs, lows = _segment_sum_max_min(every_score, n_dims, cells, r, starts, ends)
    else:
        every_score = np.asarray(facts.cell_scores, dtype=np.float64)  # float32: as float64
        cells = _cells_of(facts, sheets_of & ~void)
        who = local[facts.cell_cand[cells]]
        order = np.argsort(who, kind="stable")
        who, cells = who[order], cells[order]
        everyone = np.arange(n)
        starts = np.searchsorted(who, everyone, side="left")
        ends = np.searchsorted(who, everyone, side="right")
        r = ends - starts
        sums, highs, lows = _segment_sum_max_min(every_score, n_dims, cells, r, starts, ends)
    trim = r > spec.panel.trim_above
    with np.errstate(divide="ignore", invalid="ignore"):
        trimmed = (sums - highs - lows) / (r - 2)[:, None]
        plain = sums / r[:, None]
    per_dim = np.where(trim[:, None], trimmed, plain)
    per_dim = np.where(r[:, None] > 0, per_dim, 0.0)

    def exact(i: int) -> Fraction:
        rows = facts.cell_scores[cells[starts[i] : ends[i]], :n_dims]
        block = [[_fraction(float(x)) for x in row] for row in rows]
        return exact_p(block, spec.panel.trim_above)

    return PanelPart(_row_sums(per_dim), r, exact, void_sheets, (cells, starts, ends), per_dim)


def _runs_compiled(facts: Facts) -> bool:
    """Whether the tally and the panel run as compiled loops: from COMPILED_CELLS cells, or
    from WARM_CELLS once numba has been set up in this process (a worker after its first
    statistics), its half second then paid."""
    cells = len(facts.bcell_cand) + len(facts.cell_cand)
    if cells >= COMPILED_CELLS:
        return True
    # (a module another thread is importing is in sys.modules before it has its functions)
    ready = getattr(sys.modules.get("sanhao.scoring.kernels"), "ready", None)
    return cells >= WARM_CELLS and ready is not None and bool(ready())


def _cells_of(facts: Facts, sheets: np.ndarray) -> np.ndarray:
    """The panel cells of these sheets (a mask over the sheets), in their order."""
    if len(facts.cell_sheet) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(sheets[facts.cell_sheet])


def _sheet_totals(facts: Facts, sheets_of: np.ndarray, n_dims: int, high_total: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Per sheet of the category (sheets_of): its cells, its highest and lowest total and
    how many totals reach high_total. Totals exactly, in units of 10⁻⁴ (panel scores have
    at most 4 decimals), column by column: whole numbers far below 2⁵³, so their float sums
    are exact."""
    cells = _cells_of(facts, sheets_of)
    unit = 10**PANEL_PLACES
    every_score = np.asarray(facts.cell_scores, dtype=np.float64)  # float32 arrays: as float64
    totals = np.zeros(len(cells))
    column = np.empty(len(cells))
    for d in range(n_dims):
        np.take(every_score[:, d], cells, out=column, mode="clip")
        column *= unit
        totals += np.round(column, out=column)
    sheet = facts.cell_sheet[cells]
    n_sheets = len(facts.sheet_ids)
    if len(sheet) > 1 and bool(np.any(sheet[1:] < sheet[:-1])):
        by_sheet = np.argsort(sheet, kind="stable")
        in_order, totals_in_order = sheet[by_sheet], totals[by_sheet]
    else:  # as a panel's cells come: sheet by sheet
        in_order, totals_in_order = sheet, totals
    sheet_ids = np.arange(n_sheets)
    first = np.searchsorted(in_order, sheet_ids, side="left")
    last = np.searchsorted(in_order, sheet_ids, side="right")
    t_max = segment_reduce(np.maximum, totals_in_order, first, last, -np.inf)
    t_min = segment_reduce(np.minimum, totals_in_order, first, last, np.inf)
    high = np.bincount(sheet, weights=totals >= high_total, minlength=n_sheets)
    return last - first, t_max, t_min, high


def _row_sums(values: np.ndarray) -> np.ndarray:
    """values.sum(axis=-1) for a few columns, added left to right as numpy adds them, but
    column by column: a reduction over a short axis is many times slower."""
    if values.shape[-1] == 0:
        return np.zeros(values.shape[:-1], dtype=values.dtype)
    if values.shape[-1] >= 8:  # numpy adds eight or more in another order (pairwise)
        return values.sum(axis=-1)
    total = values[..., 0].copy()
    for k in range(1, values.shape[-1]):
        total += values[..., k]
    return total


def _segment_sum_max_min(all_scores: np.ndarray, n_dims: int, cells: np.ndarray, r: np.ndarray,
                         starts: np.ndarray, ends: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Per candidate the sum, max and min of each of the first `n_dims` columns of the rows
    `cells` of `all_scores` (sorted by candidate, each candidate's [start, end)); 0 where a
    candidate has no row. When every candidate has the same number of rows (every judge
    scored everyone, as on a panel) they are gathered as a (sheets, candidates) block and
    the sheets are added in the same order, slab by slab, many times faster."""
    n = len(r)
    same = int(r[0]) if n else 0
    if same == 0 or same * n != len(cells) or bool(np.any(r != same)):
        scores = all_scores[cells, :n_dims]
        return (segment_reduce(np.add, scores, starts, ends, 0.0),
                segment_reduce(np.maximum, scores, starts, ends, 0.0),
                segment_reduce(np.minimum, scores, starts, ends, 0.0))  # fmt: skip
    # (sheets, candidates, columns), gathered so: each slab contiguous, so that every step
    # runs over whole rows of candidates and not four numbers at a time.
    slabs = all_scores[cells.reshape(n, same).T.ravel(), :n_dims].reshape(same, n, n_dims)
    sums, highs, lows = slabs[0].copy(), slabs[0].copy(), slabs[0].copy()
    for slab in slabs[1:]:
        sums += slab
        np.maximum(highs, slab, out=highs)
        np.minimum(lows, slab, out=lows)
    return sums, highs, lows


def exact_p(rows: list[list[Fraction]], trim_above: int) -> Fraction:
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


def _panel_rank(facts: Facts, cells: np.ndarray, local: np.ndarray, n: int) -> PanelPart:
    who = local[facts.cell_cand[cells]]
    ranks = facts.cell_scores[cells, 0]
    r = np.bincount(who, minlength=n)
    sums = np.bincount(who, weights=ranks, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_rank = sums / r
    # docs/scoring.md §2: 100·(N − mean rank)/(N − 1); a lone candidate (N = 1) is first: 100.
    p = np.where(r > 0, 100 * (n - mean_rank) / max(n - 1, 1) if n > 1 else 100.0, 0.0)
    sums_int = sums.astype(np.int64)

    def exact(i: int) -> Fraction:
        if n == 1:
            return Fraction(100)
        return 100 * (n - Fraction(int(sums_int[i]), int(r[i]))) / (n - 1)

    return PanelPart(p, r, exact, {}, mean_rank=mean_rank)


# §3 — ballot score M ----------------------------------------------------------------------------


@dataclass
class BallotPart:
    m: np.ndarray  # per candidate, unrounded
    counts: np.ndarray  # (candidates, groups, grades): the valid, non-abstaining grades
    group_mean: np.ndarray  # (candidates, groups), NaN where a group gave no grade
    exact: Callable[[int], Fraction]
    void_sessions: dict[str, Reason]
    void_ballots: int


@dataclass
class BallotTally:
    """The ballot cells of every category counted in one go (§3): two passes over the cells
    whatever the number of categories."""

    counts: np.ndarray  # (candidates, groups, grades of the widest category), valid grades
    session_ok: np.ndarray  # (categories, sessions): the session counts for the category
    void_ballots: np.ndarray  # per category: ballots whose part for it is void


TALLY_SLICE = 1 << 17  # ballot cells per slice of the tally: 1 MB per key buffer, in the cache
SPAN_FACTOR = 8  # a slice whose keys spread wider than this × its length is counted by a sort
# From this many cells (ballot and panel) the tally and the panel run as compiled loops
# (kernels.py): the same numbers, several times faster, after numba's load (about half a
# second, once per process), which fewer cells would not pay back. Once numba is loaded,
# from WARM_CELLS (a province, not a district: the suite's small cases stay numpy's, whatever
# ran before them).
COMPILED_CELLS = 1 << 24
WARM_CELLS = 1 << 16


def _count_into(table: np.ndarray, keys: np.ndarray, low: int, high: int) -> None:
    """table[low + key] += how often each key occurs, for keys in [0, high − low). By one
    bincount over the span when the keys are close together (cells in ballot or candidate
    order); else by sorting them (cells in another order, candidates listed by category):
    a bincount over a wide span per slice would cost a table-sized array each time.
    `keys` is the caller's buffer and is left sorted."""
    if high - low <= SPAN_FACTOR * len(keys):
        table[low:high] += np.bincount(keys, minlength=high - low)
        return
    keys.sort()
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    table[low + keys[first]] += np.diff(np.append(first, len(keys))).astype(table.dtype)


def tally_ballots(scheme: Scheme, facts: Facts) -> BallotTally:
    specs = [scheme.categories[c] for c in CATEGORIES]
    n_cat, n_groups = len(specs), len(scheme.groups)
    n_grades = max(len(spec.ballot.grades) for spec in specs)
    n_c = facts.n_candidates
    # Sessions (per category: each has its own quorum): void when more came back than were
    # issued, or fewer than the quorum voted.
    returned = facts.session_returned
    session_ok = np.empty((n_cat, len(facts.session_ids)), dtype=bool)
    for spec in specs:
        quorum = Fraction(spec.ballot.quorum)
        session_ok[spec.category.ordinal] = (returned <= facts.session_issued) & (
            returned * quorum.denominator >= facts.session_invited * quorum.numerator
        )
    tallied = None
    if _runs_compiled(facts):  # the same counts in one compiled pass
        from sanhao.scoring import kernels

        tallied = kernels.tally(
            facts.bcell_cand, facts.bcell_ballot, facts.bcell_grade, facts.cand_category,
            facts.ballot_group, facts.ballot_session, session_ok,
            [_ratio(s.ballot.top_share) for s in sorted(specs, key=lambda s: s.category.ordinal)],
            (n_c, n_groups, n_grades),
        )  # fmt: skip
    if tallied is not None:
        counts, void_parts = tallied
    else:
        # Each ballot's cells and top grades per category, for the top-share rule.
        per = _ballot_parts(facts, n_cat)
        tops = per[:, :, 1]
        on = per[:, :, 0] + tops
        counted = session_ok.T[facts.ballot_session] & (on > 0)  # (ballots, categories)
        void = np.zeros_like(counted)
        for spec in specs:
            c = spec.category.ordinal
            void[:, c] = counted[:, c] & (tops[:, c] > ceil_times(spec.ballot.top_share,
                                                                  on[:, c]))  # fmt: skip
        del per, tops, on  # the grade counts reuse their memory
        counts = _grade_counts(facts, counted & ~void, n_cat, n_groups, n_grades)
        void_parts = void.sum(axis=0)
    if len(facts.agg_cand):
        agg_ok = session_ok[facts.cand_category[facts.agg_cand], facts.agg_session]
        np.add.at(counts, (facts.agg_cand[agg_ok], facts.agg_group[agg_ok].astype(np.int64),
                           facts.agg_grade[agg_ok].astype(np.int64)), facts.agg_n[agg_ok])  # fmt: skip
    return BallotTally(counts, session_ok, void_parts)


def _slices(n_cells: int) -> tuple[int, list[tuple[int, int]]]:
    step = max(1, min(TALLY_SLICE, n_cells))
    return step, [(start, min(start + step, n_cells)) for start in range(0, n_cells, step)]


def _ballot_parts(facts: Facts, n_cat: int) -> np.ndarray:
    """(ballots, categories, 2): each ballot's cells per category, [other, top grade].

    Slice by slice (TALLY_SLICE cells): the keys of a slice are built in two buffers used
    over again, small enough to stay in the cache, and counted into the part of the table
    the slice's ballots reach. No array as long as the cells is made: at scale a fresh array
    costs more in page faults than the arithmetic done in it. Keys are int64, numpy's index
    type (bincount and take copy any other type first). Counts in int32, half the fresh
    memory of int64: a ballot grades a candidate once, so a count is at most the number of
    candidates or of ballots, far below 2³¹ for any arrays that fit in memory."""
    cand, ballot, grade = facts.bcell_cand, facts.bcell_ballot, facts.bcell_grade
    n_b = len(facts.ballot_ids)
    step, slices = _slices(len(cand))
    key = np.empty(step, dtype=np.int64)
    extra = np.empty(step, dtype=np.int64)
    per_flat = np.zeros(n_b * n_cat * 2, dtype=np.int32)
    doubled = facts.cand_category.astype(np.int64) * 2
    for start, end in slices:
        k, e, b = key[: end - start], extra[: end - start], ballot[start:end]
        np.multiply(b, n_cat * 2, out=k, dtype=np.int64)
        k += np.take(doubled, cand[start:end], out=e, mode="clip")
        k += grade[start:end] == 0
        low, high = int(b.min()) * n_cat * 2, (int(b.max()) + 1) * n_cat * 2
        k -= low
        _count_into(per_flat, k, low, high)
    return per_flat.reshape(n_b, n_cat, 2)


def _grade_counts(facts: Facts, counts_part: np.ndarray, n_cat: int, n_groups: int,
                  n_grades: int) -> np.ndarray:  # fmt: skip
    """(candidates, groups, grades): the grades of the cells whose (ballot, category) part
    counts. Every cell goes into (candidate, group, slot): a counted cell into grade + 1
    (slot 0 holds the abstentions), a cell of a void session or ballot part into the same
    slot one row of slots further on, which is then left out. Slice by slice, as above."""
    cand, ballot, grade = facts.bcell_cand, facts.bcell_ballot, facts.bcell_grade
    n_c = facts.n_candidates
    step, slices = _slices(len(cand))
    key = np.empty(step, dtype=np.int64)
    extra = np.empty(step, dtype=np.int64)
    category = facts.cand_category.astype(np.int64)
    slots = n_grades + 1
    width = n_groups * 2 * slots
    first = facts.ballot_group.astype(np.int32)[:, None] * (2 * slots) + 1
    row = np.where(counts_part, first, first + slots).reshape(-1)  # (ballot, category)
    every_flat = np.zeros(n_c * width, dtype=np.int32)
    small = np.empty(step, dtype=np.int32)
    for start, end in slices:
        k, e, who = key[: end - start], extra[: end - start], cand[start:end]
        np.multiply(ballot[start:end], n_cat, out=k, dtype=np.int64)
        k += np.take(category, who, out=e, mode="clip")  # the cell's (ballot, category)
        np.take(row, k, out=small[: end - start], mode="clip")
        np.multiply(who, width, out=k, dtype=np.int64)
        k += small[: end - start]
        k += grade[start:end]
        low, high = int(who.min()) * width, (int(who.max()) + 1) * width
        k -= low
        _count_into(every_flat, k, low, high)
    every = every_flat.reshape(n_c, n_groups, 2, slots)
    return every[:, :, 0, 1:].astype(np.int64)  # contiguous


def ballots(spec: CategoryRules, facts: Facts, members: np.ndarray, tally: BallotTally
            ) -> BallotPart:  # fmt: skip
    ballot = spec.ballot
    key = spec.category.ordinal
    returned = facts.session_returned
    void_sessions = {
        facts.session_ids[s]: Reason(VoidCode.SESSION_OVER_ISSUED,
                                     {"returned": str(returned[s]),
                                      "issued": str(facts.session_issued[s])})
        if returned[s] > facts.session_issued[s] else
        Reason(VoidCode.SESSION_BELOW_QUORUM,
               {"quorum": str(ballot.quorum), "returned": str(returned[s]),
                "invited": str(facts.session_invited[s])})
        for s in np.flatnonzero(~tally.session_ok[key])
    }  # fmt: skip
    counts = tally.counts[members, :, : len(ballot.grades)]
    points = np.array(ballot.points, dtype=np.float64)
    # Sums over the grades and the groups column by column, left to right as numpy's
    # reduction adds them (_row_sums): over so short an axis a reduction is many times slower.
    per_group_n = _row_sums(counts)
    points_sum = counts[..., 0] * points[0] if len(points) else np.zeros(counts.shape[:2])
    for k in range(1, len(points)):
        points_sum += counts[..., k] * points[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        group_mean = points_sum / per_group_n
    present = per_group_n > 0
    weights = np.array([float(w) for w in ballot.group_weights])
    wsum = _row_sums(present * weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(present, group_mean, 0.0) @ weights / wsum
    m = np.where(wsum > 0, m, 0.0)

    def exact(i: int) -> Fraction:
        return exact_m(counts[i], ballot.points, ballot.group_weights)

    return BallotPart(m, counts, group_mean, exact, void_sessions, int(tally.void_ballots[key]))


def exact_m(counts: np.ndarray, points: tuple[int, ...], weights: tuple[Decimal, ...]) -> Fraction:
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


# §4 — bonus and deduction -------------------------------------------------------------------------


def capped_cents(counts: np.ndarray, items: tuple[Item, ...], total_cap: Decimal | None
                 ) -> np.ndarray:  # fmt: skip
    """Σ_m min(points_m·n_m, cap_m), capped at `total_cap`, exactly; then half-up to cents.

    Points and caps stay the decimals the scheme wrote (§4): they are scaled to integers
    over a common power of ten, and only the total is rounded.
    """
    if not items:
        return np.zeros(len(counts), dtype=np.int64)
    written = [i.points for i in items] + [i.cap for i in items]
    if total_cap is not None:
        written.append(total_cap)
    scaled, factor = _scale(written)
    m = len(items)
    per = np.array(scaled[:m], dtype=np.int64)
    caps = np.array(scaled[m : 2 * m], dtype=np.int64)
    # At most ⌈cap/points⌉ events count: the products below stay far inside int64.
    most = np.where(per > 0, -(-caps // np.maximum(per, 1)), 0)
    value = np.minimum(np.minimum(counts, most) * per, caps).sum(axis=1)
    if total_cap is not None:
        value = np.minimum(value, scaled[-1])
    if factor <= 100:
        return value * (100 // factor)
    step = factor // 100
    whole, rest = np.divmod(value, step)
    return whole + (2 * rest >= step)  # half-up; the values are not negative


# §5–§7 ------------------------------------------------------------------------------------------


@dataclass
class CategoryResult:
    """One category's numbers, as arrays over its members (candidates in input order)."""

    spec: CategoryRules
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
    incomplete: list[list[Component]]
    reasons: list[list[Reason]]
    panel: PanelPart
    ballot: BallotPart
    overseen: dict[int, tuple[int, ...]]  # member → indicators, for deputies who oversee
    rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # STATUSES
    seats_for_deliberation: int = 0
    empty_seats: int = 0

    @property
    def category(self) -> Category:
        return self.spec.category

    @property
    def eligible(self) -> np.ndarray:
        return np.array([not r for r in self.reasons], dtype=bool)

    def has(self, status: Status) -> np.ndarray:
        return self.status == STATUSES.index(status)

    @property
    def awarded(self) -> np.ndarray:
        return self.has(Status.AWARDED)

    @property
    def boundary_tie(self) -> np.ndarray:
        return self.has(Status.BOUNDARY_TIE)

    @property
    def unit_cap_tie(self) -> np.ndarray:
        return self.has(Status.UNIT_CAP_TIE)

    @property
    def skipped_cap(self) -> np.ndarray:
        return self.has(Status.SKIPPED_UNIT_CAP)

    def status_of(self, at: int) -> Status:
        return STATUSES[int(self.status[at])]

    def e(self, at: int) -> Fraction:
        n = int(self.ballots_counted[at])
        return Fraction(int(self.top[at]), n) if n else Fraction(0)

    def u(self, at: int) -> Fraction:
        n = int(self.ballots_counted[at])
        return Fraction(int(self.bottom[at]), n) if n else Fraction(0)


@dataclass
class Computation:
    quantified: Quantified
    categories: dict[str, CategoryResult]


def compute(scheme: Scheme, facts: Facts) -> Computation:
    """The engine on checked facts; `sanhao.scoring.score` is the entry point to call."""
    with paused_gc():
        return _compute(scheme, facts)


def _compute(scheme: Scheme, facts: Facts) -> Computation:
    q = quantify(scheme, facts)
    exact_k = ExactK(scheme, facts, q)
    tally = tally_ballots(scheme, facts)
    categories: dict[str, CategoryResult] = {
        c: _category(scheme, scheme.categories[c], facts, q, exact_k, tally) for c in CATEGORIES
    }
    team_bottom = _team_bottom(facts, categories[Category.TEAM])
    for result in categories.values():
        if result.spec.team_bottom_gate:
            for local, i in enumerate(result.members):
                unit = int(facts.cand_unit[i])
                if unit in team_bottom:
                    rank, teams = team_bottom[unit]
                    result.reasons[local].append(
                        Reason(ReasonCode.TEAM_BOTTOM, {"rank": str(rank), "teams": str(teams)})
                    )
        _rank_and_award(result, facts)
    return Computation(q, categories)


def _category(scheme: Scheme, spec: CategoryRules, facts: Facts, q: Quantified,
              exact_k: ExactK, tally: BallotTally) -> CategoryResult:  # fmt: skip
    members = np.flatnonzero(facts.cand_category == spec.category.ordinal)
    n = len(members)
    local = np.full(facts.n_candidates, -1, dtype=np.int64)
    local[members] = np.arange(n)
    units = facts.cand_unit[members]
    # K (§1): the unit's, or for a deputy the indicators they oversee plus the process records.
    k_float = q.k_unit[units].copy()
    overseen: dict[int, tuple[int, ...]] = {}
    points = np.array([float(ind.points) for ind in scheme.indicators])
    if spec.category is Category.DEPUTY:
        overseen = {int(local[i]): chosen for i, chosen in facts.oversees.items()
                    if chosen and local[i] >= 0}  # fmt: skip
    if overseen:
        # The overseen indicators as a mask over (deputy, indicator), all deputies at once.
        deputies = np.fromiter(overseen, dtype=np.int64, count=len(overseen))
        mask = np.zeros((len(deputies), len(points)), dtype=bool)
        lengths = np.fromiter(map(len, overseen.values()), dtype=np.int64, count=len(deputies))
        chosen = np.fromiter(chain.from_iterable(overseen.values()), dtype=np.int64)
        mask[np.repeat(np.arange(len(deputies)), lengths), chosen] = True
        total = mask @ points + float(scheme.process_points)
        their = units[deputies]
        held = np.where(mask, q.s[their], 0.0).sum(axis=1) + q.s_proc[their]
        with np.errstate(divide="ignore", invalid="ignore"):
            k_float[deputies] = np.where(total != 0, 100 * held / total, 0.0)
    k = round_cents(k_float, lambda at: exact_k.k(int(units[at]), overseen.get(at)))
    panel_part = panel(spec, facts, members, local)
    r = panel_part.sheets
    p = round_cents(panel_part.p, panel_part.exact)
    ballot_part = ballots(spec, facts, members, tally)
    m = round_cents(ballot_part.m, ballot_part.exact)
    b = capped_cents(facts.bonus_counts[members], scheme.bonus_items, scheme.bonus_max)
    d = capped_cents(facts.deduction_counts[members], scheme.deduction_items, scheme.deduction_max)
    counts = ballot_part.counts
    incomplete: list[list[Component]] = [[] for _ in range(n)]
    for at in np.flatnonzero(r == 0).tolist():
        incomplete[at].append(Component.P)
        p[at] = 0
    total_grades = counts.sum(axis=(1, 2))
    for at in np.flatnonzero(total_grades == 0).tolist():
        incomplete[at].append(Component.M)
        m[at] = 0
    # S (§5) from the rounded components, in integers: weights over a power of ten.
    (wk, wp, wm), factor = _scale([spec.weights["K"], spec.weights["P"], spec.weights["M"]])
    numerator = wk * k + wp * p + wm * m + factor * (b - d)
    s = np.sign(numerator) * ((np.abs(numerator) * 2 + factor) // (2 * factor))
    top = counts[:, :, 0].sum(axis=1)
    bottom = counts[:, :, -1].sum(axis=1)
    limit = spec.ballot.bottom_limit
    too_low = bottom * limit.denominator > total_grades * limit.numerator
    short = facts.cand_months[members] < spec.min_months_in_post
    reasons: list[list[Reason]] = [[] for _ in range(n)]
    # Only the candidates a rule applies to are visited: the loops do not grow with n.
    for i in sorted(facts.vetoes):
        if local[i] >= 0:
            for kind, note in facts.vetoes[i]:
                reasons[int(local[i])].append(Reason(ReasonCode.VETO, {
                    "kind": kind, "name": scheme.veto_kinds.get(kind, kind), "note": note}))  # fmt: skip
    rules = [
        (short, Reason(ReasonCode.MONTHS_IN_POST, {"required": str(spec.min_months_in_post)})),
        (too_low, Reason(ReasonCode.BOTTOM_GRADES, {"grade": spec.ballot.grades[-1],
                                                    "limit": str(spec.ballot.bottom_limit)})),
        (r == 0, Reason(ReasonCode.NO_PANEL)),
        (total_grades == 0, Reason(ReasonCode.NO_BALLOT)),
    ]  # fmt: skip
    for applies, reason in rules:
        for at in np.flatnonzero(applies).tolist():
            reasons[at].append(reason)
    return CategoryResult(
        spec=spec, members=members, k=k, p=p, m=m, b=b, d=d, s=s.astype(np.int64), top=top,
        bottom=bottom, panel_judges=r, ballots_counted=total_grades, incomplete=incomplete,
        reasons=reasons, panel=panel_part, ballot=ballot_part, overseen=overseen,
    )  # fmt: skip


def _team_bottom(facts: Facts, teams: CategoryResult) -> dict[int, tuple[int, int]]:
    """Units whose team ranks in the last ⌊N/3⌋ places (§0), with that rank and N."""
    n = len(teams.members)
    if n == 0:
        return {}
    rank = _ranking(teams)[0]
    cut = n - n // 3
    return {int(facts.cand_unit[teams.members[at]]): (int(rank[at]), n)
            for at in range(n) if rank[at] > cut}  # fmt: skip


def _sort_keys(result: CategoryResult) -> list[np.ndarray]:
    """S, then the tie-breaks (§6), each as a key where smaller is better."""
    n = result.ballots_counted
    with np.errstate(divide="ignore", invalid="ignore"):
        e_float = np.where(n > 0, result.top / n, 0.0)
    # Distinct fractions with denominators up to 2²⁶ never share a correctly rounded float.
    e_key = exact_dense_keys(e_float, result.e, trusted=int(n.max(initial=0)) <= 2**26)
    keys = {"K": result.k, "M": result.m, "P": result.p, "e": e_key}
    return [-result.s] + [-keys[name] for name in result.spec.tie_break]


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
    """§7: walk the ranking tie group by tie group, seating eligible candidates."""
    rank, order, tied = _ranking(result)
    result.rank, result.order, result.tied = rank, order, tied
    n = len(result.members)
    code = {s: np.int8(k) for k, s in enumerate(STATUSES)}
    status = np.full(n, code[Status.NOT_AWARDED], dtype=np.int8)
    eligible = result.eligible
    status[~eligible] = code[Status.INELIGIBLE]
    spec = result.spec
    threshold = None if spec.threshold is None else int(spec.threshold * 100)
    if threshold is not None:
        status[eligible & (result.s < threshold)] = code[Status.BELOW_THRESHOLD]
    unit_of = facts.cand_unit[result.members]
    seats = spec.quota
    reserved = 0  # seats that went to deliberation over a unit-cap tie
    per_unit: dict[int, int] = {}
    boundary = False
    at = 0
    while at < n and seats > 0:
        group = [int(order[at])]
        while at + len(group) < n and rank[order[at + len(group)]] == rank[group[0]]:
            group.append(int(order[at + len(group)]))
        at += len(group)
        if threshold is not None and result.s[group[0]] < threshold:
            break  # sorted by S: nobody further down reaches the threshold
        by_unit: dict[int, list[int]] = {}
        for c in group:
            if not eligible[c]:
                continue
            unit = int(unit_of[c])
            if spec.unit_cap and per_unit.get(unit, 0) >= spec.unit_cap:
                status[c] = code[Status.SKIPPED_UNIT_CAP]
                continue
            by_unit.setdefault(unit, []).append(c)
        # Each unit asks for as many seats as it has takers, at most its remaining cap.
        asks = {u: len(cs) if not spec.unit_cap else min(len(cs), spec.unit_cap - per_unit.get(u, 0))
                for u, cs in by_unit.items()}  # fmt: skip
        if sum(asks.values()) > seats:
            # A tie across the quota line: nobody of it is awarded automatically.
            for cs in by_unit.values():
                status[cs] = code[Status.BOUNDARY_TIE]
            boundary = True
            break
        for unit, cs in by_unit.items():
            if asks[unit] == len(cs):
                status[cs] = code[Status.AWARDED]
            else:
                # A tie across the unit's cap: its remaining seats go to deliberation among
                # these candidates, and the allocation goes on for the other units.
                status[cs] = code[Status.UNIT_CAP_TIE]
                reserved += asks[unit]
            per_unit[unit] = per_unit.get(unit, 0) + asks[unit]
            seats -= asks[unit]
    result.status = status
    result.seats_for_deliberation = reserved + (seats if boundary else 0)
    result.empty_seats = 0 if boundary else seats
