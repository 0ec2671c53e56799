"""Exact decimal rounding, as SCORING.md step 5 prescribes: half-up (四舍五入) to 2 places.

Python's round() rounds half to even and works on binary floats (round(2.675, 2)
is 2.67), which a person checking the numbers by hand would call wrong.
"""

from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def to_decimal(value: Decimal | int | str | float) -> Decimal:
    """An exact Decimal; a float is read through its shortest repr (2.675 → 2.675)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_half_up(value: Decimal | int | str | float, places: Decimal = TWO_PLACES) -> Decimal:
    return to_decimal(value).quantize(places, rounding=ROUND_HALF_UP)
