"""Half-up rounding to cents (docs/scoring.md §5) of vectors computed in floating point, made exact.

Values are computed in float64. Where a value lies so close to a half cent that the
float error could decide the rounding, it is recomputed exactly (with fractions) by
the callback, so the rounded result is always that of exact arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np

MARGIN = 1e-6  # of a cent: far above float64 error for values of size 100


def cents_half_up(value: Fraction) -> int:
    """An exact value in cents, rounded half away from zero (四舍五入)."""
    scaled = value * 100
    sign = -1 if scaled < 0 else 1
    return sign * math.floor(abs(scaled) + Fraction(1, 2))


def round_cents(values: np.ndarray, exact: Callable[[int], Fraction]) -> np.ndarray:
    """int64 cents of `values`; `exact(i)` gives the exact value of element i when needed."""
    scaled = np.asarray(values, dtype=np.float64) * 100
    magnitude = np.abs(scaled)
    cents = np.floor(magnitude + 0.5)
    near = np.abs(magnitude - np.floor(magnitude) - 0.5) < MARGIN
    result = (np.sign(scaled) * cents).astype(np.int64)
    for i in np.flatnonzero(near & np.isfinite(scaled)):
        result[i] = cents_half_up(exact(int(i)))
    return result
