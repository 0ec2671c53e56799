"""Reading dates the way clerks type them into Excel and WPS.

Accepted: real Excel dates, Excel serial numbers, and text such as `2021-10`,
`2021/10/5`, `2021.10`, `2021年10月`, `2021年10月5日`, `202110`, `20211005`, in
full-width digits and with stray spaces. A month without a day means its first day.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?$"),
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def normalise_text(value: str) -> str:
    """Full-width to half-width (NFKC), and no spaces of any width anywhere."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def parse_date(value: object) -> dt.date | None:
    """The date in `value`, None when it is empty; ValueError with a readable message."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(_("not a date: %(value)s") % {"value": value})
    if isinstance(value, int | float):
        return _from_number(value)
    text = normalise_text(str(value))
    if not text:
        return None
    text = text.replace("—", "-").replace("–", "-")
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            parts = match.groupdict()
            return _build(int(parts["y"]), int(parts["m"]), int(parts.get("d") or 1), str(value))
    raise ValueError(
        _("cannot read %(value)s as a date; write it like 2021-10 or 2021-10-05") % {"value": value}
    )


def _from_number(value: int | float) -> dt.date:
    # Excel turns a typed 2021.10 into the number 2021.1: January or October?
    if 1900 <= value < 2101 and value != int(value):
        text = repr(float(value))
        year, _dot, month = text.partition(".")
        if month == "1":
            raise ValueError(
                _(
                    "%(value)s is ambiguous (January or October?): format the cell as text "
                    "and write 2021-01 or 2021-10"
                )
                % {"value": value}
            )
        return _build(int(year), int(month), 1, text)
    if 1900 <= value < 2101:
        raise ValueError(_("%(value)s is a year, not a date: add the month") % {"value": value})
    if 1 <= value < 2958466 and value == int(value):
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise ValueError(_("cannot read %(value)s as a date") % {"value": value})


def _build(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("%(value)s is not a real date") % {"value": original}) from None
