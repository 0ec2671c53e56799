"""When a record's period runs, and whether a record was held within it.

A type expected `n` times a year splits the year into `n` periods. When `n` divides 12
each period is whole months: a monthly type's period `p` is month `p`, a quarterly
type's period 2 is April to June, a yearly type's one period is the whole year.
Otherwise the year's days are split as evenly as they go. A record is on time when it
was held within its period.
"""

from __future__ import annotations

import datetime as dt


def period_span(year: int, period: int, expected: int) -> tuple[dt.date, dt.date]:
    """The first and last day of `period` (1…expected) of `year`."""
    if not 1 <= period <= expected:
        raise ValueError(f"period {period} is not in 1…{expected}")
    if 12 % expected == 0:
        months = 12 // expected
        first_month = (period - 1) * months + 1
        after_month = first_month + months
        first = dt.date(year, first_month, 1)
        after = dt.date(year + 1, 1, 1) if after_month > 12 else dt.date(year, after_month, 1)
        return first, after - dt.timedelta(days=1)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    first = start + dt.timedelta(days=(period - 1) * days // expected)
    after = start + dt.timedelta(days=period * days // expected)
    return first, after - dt.timedelta(days=1)


def is_on_time(held_on: dt.date, year: int, period: int, expected: int) -> bool:
    first, last = period_span(year, period, expected)
    return first <= held_on <= last


def is_over(year: int, period: int, expected: int, today: dt.date) -> bool:
    """The period has ended before `today`: a record still missing is missing."""
    return period_span(year, period, expected)[1] < today
