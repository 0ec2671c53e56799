"""Compiled loops of the statistics (numba), each giving numpy's numbers bit for bit.

Imported by `stats` when the statistics are computed, not before: numba's import and the
first call of each loop in a process (loading the machine code from numba's cache, or
compiling it when there is none) cost about half a second, once per process.

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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

INVERSION_LIMIT = 30.0  # numpy draws a binomial by inversion while n·min(p, 1 − p) ≤ this
TABLE = 86  # entries of one inversion table: its bound ≤ 30 + 10·√31 < 86


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
    0, 1, … bound successes in `table`, computed as numpy computes them; returns the bound."""
    q = 1.0 - p
    px = math.exp(trials * math.log(q))
    mean = trials * p
    limit = mean + 10.0 * math.sqrt(mean * q + 1)
    bound = trials if trials < limit else int(limit)
    table[0] = px
    for x in range(1, bound + 1):
        px = ((trials - x + 1) * p * px) / (x * q)
        table[x] = px
    return bound


@_compiled
def _multinomial_points(rng: Any, trials: np.ndarray, probabilities: np.ndarray,
                        points: np.ndarray, replicates: int, out: np.ndarray) -> None:  # fmt: skip
    """For each row i: `replicates` multinomial draws of trials[i] over the grades, with the
    binomials' probabilities along numpy's chain (probabilities[i, j] = share_j / remaining
    share, as numpy divides), each draw's grade points Σ count_j · points_j into out[i]."""
    d = points.shape[0]
    for i in range(trials.shape[0]):
        n = trials[i]
        width = min(n + 1, TABLE)
        bounds = np.full((d - 1, n + 1), -1, np.int64)
        tables = np.empty((d - 1, n + 1, width))
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
                if bounds[j, left] < 0:
                    bounds[j, left] = _inversion_table(left, small, tables[j, left])
                bound = bounds[j, left]
                table = tables[j, left]
                x = 0
                u = rng.random()
                while u > table[x]:
                    x += 1
                    if x > bound:  # numpy starts again with a new uniform
                        x = 0
                        u = rng.random()
                    else:
                        u -= table[x - 1]
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
    small = np.minimum(probabilities, 1.0 - probabilities)
    return (small * trials[:, None] <= INVERSION_LIMIT).all(axis=1)


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


def trimmed_means(table: np.ndarray, draws: np.ndarray, trim: bool) -> np.ndarray:
    """Per replicate, candidate and dimension: the mean of the resampled sheets' scores
    (sheets × candidates × dimensions, `draws` replicates × sheets), without the highest and
    the lowest if `trim`. The same numbers as `stats._trimmed(table[draws], …)` when every
    sum of these scores is exact."""
    table = np.ascontiguousarray(table, dtype=np.float64)
    return _trimmed_means(table, np.ascontiguousarray(draws, dtype=np.int64), trim)


def warm() -> None:
    """Load every loop here (compile it, without numba's cache), as a process does at its
    first statistics: about half a second, once; the benchmark times it apart."""
    grade_points(np.random.default_rng(0), np.array([2]), np.array([[0.5, 0.25, 0.25]]),
                 np.array([2.0, 1.0, 0.0]), 2)  # fmt: skip
    trimmed_means(np.zeros((3, 1, 1)), np.zeros((1, 3), dtype=np.int64), True)
