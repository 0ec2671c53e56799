"""Compiled loops (numba), each giving numpy's numbers bit for bit.

Imported when first needed, not before: numba's import and the first call of each loop in a
process (loading the machine code from numba's cache, or compiling it when there is none)
cost about half a second, once per process.

The statistics (always):
- `grade_points`: the bootstrap's redrawn grade counts of every (candidate, group), the same
  draws as `Generator.multinomial` from the same generator, which it leaves in the same state.
  numpy draws each multinomial as a chain of binomials, each by inversion while n·min(p, 1 − p)
  ≤ 30: one uniform, then the probabilities of 0, 1, 2… successes subtracted from it in turn.
  That chain of multiplications and divisions is most of numpy's time; here each (trials,
  probability) computes its chain once, in the same operations in the same order, and every
  replicate reads it. A (candidate, group) whose binomials may need numpy's other method
  (n·min(p, 1 − p) > 30) is drawn by numpy itself, in its turn, from the same generator.
- `trimmed_means`: the panel's resampled sheets reduced to per-dimension (trimmed) means
  without the array of every resampled score (84 MB at district scale), for scores whose sums
  are exact in any order (`stats._exact_sums`).

The engine's aggregation, from engine.COMPILED_CELLS cells (a nation), or from
engine.WARM_CELLS once a loop has run in the process (`ready`; a province, not a district):
- `tally`: the ballot tally in one pass over cells that come ballot by ballot (counts are
  whole numbers: the same in any order; a void ballot part's cells are taken off again);
- `sheet_totals` and `candidate_scores`: the panel's void-sheet test and each candidate's
  sums, highs and lows, added cell by cell in the cells' order, as numpy adds them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

INVERSION_LIMIT = 30.0  # numpy draws a binomial by inversion while n·min(p, 1 − p) ≤ this
TABLE = 86  # entries of one inversion table: its bound ≤ 30 + 10·√31 < 86
MAX_TRIALS = 1000  # a (candidate, group) of more voters is drawn by numpy
BUCKETS = 64  # slices of [0, 1] per inversion table, whose counts are read without inverting


def _compiled(fn: Callable[..., Any]) -> Any:
    """`fn` compiled, its machine code cached on disk when there is a writable place for it
    (beside this file, or NUMBA_CACHE_DIR); without one, compiled in each process."""
    try:
        return njit(cache=True, error_model="numpy")(fn)
    except RuntimeError:  # numba: "cannot cache function …: no locator available"
        return njit(error_model="numpy")(fn)


@_compiled
def _inversion_table(trials: int, p: float, table: np.ndarray) -> int:
    """numpy's inversion constants for Binomial(trials, p), p ≤ ½: the probabilities of
    0, 1, … bound successes in `table`, computed as numpy computes them (the numpy pinned in
    pyproject.toml; tests/test_kernels.py holds it to that numpy's draws, uniform by chosen
    uniform); returns the bound."""
    q = 1.0 - p
    px = math.exp(trials * math.log1p(-p))  # numpy 2.x: log1p(−p), not log(q)
    mean = trials * p
    limit = mean + 10.0 * math.sqrt(mean * q + 1)
    bound = trials if trials < limit else int(limit)
    table[0] = px
    for x in range(1, bound + 1):
        px = ((trials - x + 1) * p * px) / (x * q)
        table[x] = px
    return bound


@_compiled
def _inverted(u: float, tables: np.ndarray, at: int, bound: int) -> int:
    """numpy's count of successes for the uniform u by inversion over the table from
    tables[at] (the probabilities of 0, 1, … successes, subtracted from u in turn), or
    bound + 1 where numpy would go past its bound and draw again. Non-decreasing in u: each
    subtraction and each comparison keeps the order of the uniforms (IEEE rounding is
    monotone)."""
    x = 0
    while u > tables[at + x]:
        x += 1
        if x > bound:
            return bound + 1
        u -= tables[at + x - 1]
    return x


@_compiled
def _multinomial_points(rng: Any, trials: np.ndarray, probabilities: np.ndarray,
                        points: np.ndarray, replicates: int, out: np.ndarray) -> None:  # fmt: skip
    """For each row i: `replicates` multinomial draws of trials[i] over the grades, with the
    binomials' probabilities along numpy's chain (probabilities[i, j] = share_j / remaining
    share, as numpy divides), each draw's grade points Σ count_j · points_j into out[i].

    A binomial's count is a non-decreasing function of its uniform (`_inverted`): where it is
    the same at both ends of one of BUCKETS equal slices of [0, 1], it is that count for any
    uniform in the slice, read without inverting. The ends are inverted when first reached,
    once per table; only a uniform in a slice where the count changes is inverted in full.
    Tables flat, indexed by (binomial, trials left): no array view made per draw."""
    d = points.shape[0]
    for i in range(trials.shape[0]):
        n = trials[i]
        width = min(n + 1, TABLE)
        bounds = np.full((d - 1) * (n + 1), -1, np.int64)
        tables = np.empty((d - 1) * (n + 1) * width)
        ends = np.empty((d - 1) * (n + 1) * (BUCKETS + 1), np.int64)
        for r in range(replicates):
            left = n
            total = 0.0
            for j in range(d - 1):
                if left <= 0:
                    break
                p = probabilities[i, j]
                if p == 0.0:
                    continue  # numpy draws nothing for it
                flip = p > 0.5
                small = 1.0 - p if flip else p
                which = j * (n + 1) + left
                at = which * width
                edge = which * (BUCKETS + 1)
                if bounds[which] < 0:
                    bounds[which] = _inversion_table(left, small, tables[at : at + width])
                    ends[edge : edge + BUCKETS + 1] = -1
                bound = bounds[which]
                while True:  # numpy starts again with a new uniform past its bound
                    u = rng.random()
                    b = edge + int(u * BUCKETS)  # exact: BUCKETS a power of two, u < 1
                    if ends[b] < 0:
                        ends[b] = _inverted((b - edge) / BUCKETS, tables, at, bound)
                    if ends[b + 1] < 0:
                        ends[b + 1] = _inverted((b + 1 - edge) / BUCKETS, tables, at, bound)
                    x = ends[b] if ends[b] == ends[b + 1] else _inverted(u, tables, at, bound)
                    if x <= bound:
                        break
                if flip:
                    x = left - x
                total += x * points[j]
                left -= x
            if left > 0:
                total += left * points[d - 1]
            out[i, r] = total


def _chain(shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The binomials' probabilities as numpy's multinomial computes them (share over the
    share remaining, that remainder reduced grade by grade), and which rows the compiled
    draw can take: every binomial reached is by inversion (numpy's other method, and any
    probability outside [0, 1] beyond a rounding, are left to numpy)."""
    rows, d = shares.shape
    probabilities = np.zeros((rows, max(d - 1, 0)))
    remaining = np.ones(rows)
    reached = np.ones(rows, dtype=bool)
    simple = np.ones(rows, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(d - 1):
            p = shares[:, j] / remaining
            probabilities[:, j] = np.where(reached, p, 0.0)
            # above 1 by a rounding (a last share over the remainder left) numpy still
            # inverts, with 1 − p just below 0; any further out is left to numpy
            ok = (p == 0) | ((p > 0) & (p <= 1 + 1e-9))
            simple &= ~reached | ok
            reached &= p != 1.0  # after a certain grade nothing is left to draw
            remaining = remaining - shares[:, j]
    return probabilities, simple


def _inversion_only(trials: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Rows whose every binomial numpy draws by inversion, of at most MAX_TRIALS trials (the
    tables of a row take (grades − 1) · (trials + 1) · TABLE numbers)."""
    small = np.minimum(probabilities, 1.0 - probabilities)
    inversion = (small * trials[:, None] <= INVERSION_LIMIT).all(axis=1)
    return inversion & (trials <= MAX_TRIALS)


def grade_points(rng: np.random.Generator, totals: np.ndarray, shares: np.ndarray,
                 points: np.ndarray, replicates: int) -> np.ndarray:  # fmt: skip
    """Σ count · points of `replicates` multinomial draws per row (rows × replicates), with
    numpy's numbers and stream: those of `rng.multinomial(totals[:, None], shares[:, None, :],
    size=(rows, replicates)) @ points`, which this leaves `rng` where that call would.
    The points must be such that these sums are exact (whole points, halves…)."""
    trials = np.ascontiguousarray(totals, dtype=np.int64)
    shares = np.ascontiguousarray(shares, dtype=np.float64)
    points = np.ascontiguousarray(points, dtype=np.float64)
    probabilities, simple = _chain(shares)
    compiled = simple & _inversion_only(trials, probabilities)
    out = np.empty((len(trials), replicates))
    start = 0
    while start < len(trials):
        if compiled[start]:
            rest = compiled[start:]
            end = len(trials) if rest.all() else start + int(np.argmin(rest))
            _multinomial_points(rng, trials[start:end], probabilities[start:end], points,
                                replicates, out[start:end])  # fmt: skip
            start = end
        else:
            drawn = rng.multinomial(trials[start], shares[start], size=replicates)
            out[start] = drawn @ points
            start += 1
    return out


@_compiled
def _trimmed_means(table: np.ndarray, draws: np.ndarray, trim: bool) -> np.ndarray:
    replicates, judges = draws.shape
    _, n, dims = table.shape
    out = np.empty((replicates, n, dims))
    total = np.empty((n, dims))
    high = np.empty((n, dims))
    low = np.empty((n, dims))
    for r in range(replicates):
        first = table[draws[r, 0]]
        total[:] = first
        high[:] = first
        low[:] = first
        for i in range(1, judges):
            sheet = table[draws[r, i]]
            for c in range(n):
                for k in range(dims):
                    v = sheet[c, k]
                    total[c, k] += v
                    high[c, k] = max(high[c, k], v)
                    low[c, k] = min(low[c, k], v)
        if trim:
            for c in range(n):
                for k in range(dims):
                    out[r, c, k] = (total[c, k] - high[c, k] - low[c, k]) / (judges - 2)
        else:
            for c in range(n):
                for k in range(dims):
                    out[r, c, k] = total[c, k] / judges
    return out


def _in_range(index: np.ndarray, size: int, what: str, *, low: int = 0) -> None:
    """IndexError unless every index is in [low, size): numba's loops do not check."""
    if index.size and (int(index.min()) < low or int(index.max()) >= size):
        raise IndexError(f"{what} is out of range")


def trimmed_means(table: np.ndarray, draws: np.ndarray, trim: bool) -> np.ndarray:
    """Per replicate, candidate and dimension: the mean of the resampled sheets' scores
    (sheets × candidates × dimensions, `draws` replicates × sheets), without the highest and
    the lowest if `trim`. The same numbers as `stats._trimmed(table[draws], …)` when every
    sum of these scores is exact."""
    table = np.ascontiguousarray(table, dtype=np.float64)
    _in_range(draws, len(table), "a resampled sheet")
    return _trimmed_means(table, np.ascontiguousarray(draws, dtype=np.int64), trim)


@_compiled
def _tally(cand: np.ndarray, ballot: np.ndarray, grade: np.ndarray, category: np.ndarray,
           group: np.ndarray, session: np.ndarray, session_ok: np.ndarray,
           top_num: np.ndarray, top_den: np.ndarray, counts: np.ndarray,
           void_parts: np.ndarray) -> int:  # fmt: skip
    """The ballot tally (engine.tally_ballots) in one pass over cells that come ballot by
    ballot: each cell's grade counted into counts[candidate, group, grade] as it comes (an
    abstention adds 0), with the ballot's cells and top grades per category; at the ballot's
    end, whether each part counts (its session valid for the category, and no more top
    grades than ⌈top_share · cells⌉), and the cells of a part that does not taken off again
    (void parts are few); void parts per category into void_parts. Returns −1, or −2 when a
    ballot's cells are not together (nothing is then to be trusted), or the first cell with
    an index out of range."""
    n, n_cat = cand.shape[0], session_ok.shape[0]
    n_c, n_b, n_s = category.shape[0], group.shape[0], session_ok.shape[1]
    n_groups, n_grades = counts.shape[1], counts.shape[2]
    flat = counts.reshape(-1)  # C-contiguous: (candidate, group, grade) row-major
    row = n_groups * n_grades
    on = np.zeros(n_cat, np.int64)
    tops = np.zeros(n_cat, np.int64)
    keep = np.zeros(n_cat, np.bool_)
    i = 0
    while i < n:
        b = ballot[i]
        if b < 0 or b >= n_b:
            return i
        s, v = session[b], group[b]
        if s < 0 or s >= n_s or v < 0 or v >= n_groups:
            return i
        on[:] = 0
        tops[:] = 0
        base = v * n_grades
        # a ballot's cells of a category come together as a rule: counted in registers run by
        # run (an array element added to cell after cell waits for its last store each time)
        # (k_run starts at n_cat, no category's: the first cell's category is checked too)
        k_run, on_run, tops_run = n_cat, 0, 0
        j = i
        while j < n and ballot[j] == b:
            c = cand[j]
            if c < 0 or c >= n_c:
                return j
            k = category[c]
            if k != k_run:
                if k < 0 or k >= n_cat:
                    return j
                if k_run < n_cat:
                    on[k_run] += on_run
                    tops[k_run] += tops_run
                k_run, on_run, tops_run = k, 0, 0
            g = grade[j]
            if g >= n_grades:
                return j
            on_run += 1
            tops_run += g == 0
            flat[c * row + base + max(g, 0)] += g >= 0
            j += 1
        if k_run < n_cat:
            on[k_run] += on_run
            tops[k_run] += tops_run
        if j < n and ballot[j] < b:
            return -2
        every = True
        for k in range(n_cat):
            counted = session_ok[k, s] and on[k] > 0
            void = counted and tops[k] > (top_num[k] * on[k] + top_den[k] - 1) // top_den[k]
            if void:
                void_parts[k] += 1
            keep[k] = counted and not void
            every = every and (keep[k] or on[k] == 0)
        if not every:
            for t in range(i, j):
                c = cand[t]
                if not keep[category[c]]:
                    g = grade[t]
                    flat[c * row + base + max(g, 0)] -= g >= 0
        i = j
    return -1


def tally(cand: np.ndarray, ballot: np.ndarray, grade: np.ndarray, category: np.ndarray,
          group: np.ndarray, session: np.ndarray, session_ok: np.ndarray,
          top_shares: list[tuple[int, int]], shape: tuple[int, int, int]
          ) -> tuple[np.ndarray, np.ndarray] | None:  # fmt: skip
    """(grade counts (candidates, groups, grades), void ballot parts per category), or None
    when the cells do not come ballot by ballot (the caller counts them otherwise).
    `top_shares`: each category's top share as (numerator, denominator)."""
    counts = np.zeros(shape, dtype=np.int64)
    void_parts = np.zeros(session_ok.shape[0], dtype=np.int64)
    top_num = np.array([num for num, _ in top_shares], dtype=np.int64)
    top_den = np.array([den for _, den in top_shares], dtype=np.int64)
    c = np.ascontiguousarray
    status = _tally(cand, ballot, grade, c(category), c(group), c(session), c(session_ok),
                    top_num, top_den, counts, void_parts)  # fmt: skip
    if status == -2:
        return None
    if status >= 0:
        raise IndexError(f"ballot cell {status}: an index out of range")
    return counts, void_parts


@_compiled
def _sheet_totals(cell_sheet: np.ndarray, scores: np.ndarray, n_dims: int,
                  sheet_category: np.ndarray, key: int, unit: float, high_total: float,
                  count: np.ndarray, t_max: np.ndarray, t_min: np.ndarray,
                  high: np.ndarray) -> int:  # fmt: skip
    """Per sheet of category `key`, over its cells: how many, the highest and the lowest
    total (Σ over the first n_dims scores of round(score · unit), as engine.panel adds
    them) and how many totals reach high_total. Returns the first cell whose sheet is out of
    range, or −1."""
    n_sheets = sheet_category.shape[0]
    for i in range(cell_sheet.shape[0]):
        s = cell_sheet[i]
        if s < 0 or s >= n_sheets:
            return i
        if sheet_category[s] != key:
            continue
        total = 0.0
        for d in range(n_dims):
            total += np.rint(np.float64(scores[i, d]) * unit)
        count[s] += 1
        t_max[s] = max(t_max[s], total)
        t_min[s] = min(t_min[s], total)
        if total >= high_total:
            high[s] += 1
    return -1


@_compiled
def _candidate_scores(cell_sheet: np.ndarray, cell_cand: np.ndarray, scores: np.ndarray,
                      n_dims: int, keep: np.ndarray, local: np.ndarray, n: int
                      ) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Over the cells of the sheets kept (keep[sheet]): per candidate (local index) the sum,
    highest and lowest of each of the first n_dims scores, added in the cells' order, and
    the cells sorted by candidate (stably), with each candidate's start and end. A cell of
    no candidate of the category (local −1) is left out, as engine.panel leaves it."""
    r = np.zeros(n, np.int64)
    sums = np.zeros((n, n_dims))
    highs = np.zeros((n, n_dims))
    lows = np.zeros((n, n_dims))
    for i in range(cell_sheet.shape[0]):
        if not keep[cell_sheet[i]]:
            continue
        c = local[cell_cand[i]]
        if c < 0:
            continue
        if r[c] == 0:
            for d in range(n_dims):
                v = np.float64(scores[i, d])
                sums[c, d] = v
                highs[c, d] = v
                lows[c, d] = v
        else:
            for d in range(n_dims):
                v = np.float64(scores[i, d])
                sums[c, d] += v
                highs[c, d] = max(highs[c, d], v)
                lows[c, d] = min(lows[c, d], v)
        r[c] += 1
    starts = np.zeros(n, np.int64)
    for c in range(1, n):
        starts[c] = starts[c - 1] + r[c - 1]
    ends = starts + r
    cells = np.empty(ends[n - 1] if n else 0, np.int64)
    at = starts.copy()
    for i in range(cell_sheet.shape[0]):
        if keep[cell_sheet[i]]:
            c = local[cell_cand[i]]
            if c >= 0:
                cells[at[c]] = i
                at[c] += 1
    return r, sums, highs, lows, cells, starts, ends


def sheet_totals(cell_sheet: np.ndarray, scores: np.ndarray, n_dims: int,
                 sheet_category: np.ndarray, key: int, unit: int, high_total: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Per sheet of category `key`: its cells, highest and lowest total, totals ≥ high_total
    (totals in units of 1/unit, as engine.panel rounds them); one pass over the cells."""
    n_sheets = len(sheet_category)
    count = np.zeros(n_sheets, np.int64)
    high = np.zeros(n_sheets, np.int64)
    t_max = np.full(n_sheets, -np.inf)
    t_min = np.full(n_sheets, np.inf)
    bad = _sheet_totals(cell_sheet, scores, n_dims, np.ascontiguousarray(sheet_category), key,
                        float(unit), float(high_total), count, t_max, t_min, high)  # fmt: skip
    if bad >= 0:
        raise IndexError(f"panel cell {bad}: its sheet is out of range")
    return count, t_max, t_min, high


def candidate_scores(cell_sheet: np.ndarray, cell_cand: np.ndarray, scores: np.ndarray,
                     n_dims: int, keep: np.ndarray, local: np.ndarray, n: int
                     ) -> tuple[np.ndarray, ...]:  # fmt: skip
    """(R, sums, highs, lows, cells sorted by candidate, starts, ends) of the cells of the
    sheets kept, per candidate of the category (`local`: a candidate's index in it, or −1)."""
    keep, local = np.ascontiguousarray(keep), np.ascontiguousarray(local)
    _in_range(cell_sheet, len(keep), "a panel cell's sheet")
    _in_range(cell_cand, len(local), "a panel cell's candidate")
    _in_range(local, n, "a candidate's index in the category", low=-1)
    return tuple(_candidate_scores(cell_sheet, cell_cand, scores, n_dims, keep, local, n))


def ready() -> bool:
    """Whether numba has been set up in this process (a loop has run): another loop's first
    call then costs its load from the cache, milliseconds, not numba's half second."""
    return any(loop.signatures for loop in (_multinomial_points, _trimmed_means, _tally,
                                            _sheet_totals, _candidate_scores))  # fmt: skip


def warm() -> None:
    """Load the statistics' loops (compile them, without numba's cache), as a process does
    at its first statistics: about half a second, once; the benchmark times it apart."""
    grade_points(np.random.default_rng(0), np.array([2]), np.array([[0.5, 0.25, 0.25]]),
                 np.array([2.0, 1.0, 0.0]), 2)  # fmt: skip
    trimmed_means(np.zeros((3, 1, 1)), np.zeros((1, 3), dtype=np.int64), True)
