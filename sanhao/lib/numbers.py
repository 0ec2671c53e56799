"""Reading figures the way Chinese offices write them into Excel and WPS.

A cell of a figure may hold a number (an int or a float, as the workbook stores it) or
text typed by a clerk: `1,234.5`, `１２３４`, `12.3万`, `1.2亿`, `28.57%`, ` 12 `. The
indicator's unit of measure decides what a suffix means:

- money (`元`, `万元`, `亿元`, and the same in 美元 for foreign capital; one currency is
  never converted into the other): `12.3万` is 12.3 × 10⁴ 元, written in the indicator's
  unit, so 12.3 in an indicator in 万元 and 0.00123 in one in 亿元; a number without
  a suffix is already in the column's unit (the header may say another money unit than
  the indicator: `开票销售（万元）` in an indicator kept in 亿元 is divided by 10⁴);
- a count (`个`, `项`, `人`, `户`, …): `1.2万` is 12,000;
- a percentage (`%`): `28.57%` as text, or 0.2857 in a cell formatted as a percentage,
  is 28.57;
- no unit known: a suffix cannot be converted and is refused.

`—`, `-`, `/` (in either width) and an empty cell mean "not reported": `None`.
Anything else that is not plainly one number is refused with a message saying why:
a comma that does not group thousands, two decimal points, a date (Excel turns `1-2`
into the 2nd of January), a negative figure, `1e5`. A converted value is rounded to
`places` decimals, half up; a value as typed with more decimals is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

NOT_REPORTED = frozenset({"", "-", "—", "–", "/", "——", "--", "－", "／", "―", "‐", "−"})
# Amounts of money: the currency and how many of it one unit is (万美元: 10⁴ 美元).
MONEY = {
    f"{prefix}{currency}": (currency, scale)
    for currency in ("元", "美元")
    for prefix, scale in (("", Decimal(1)), ("万", Decimal(10) ** 4), ("亿", Decimal(10) ** 8))
}
SUFFIXES = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8}
PERCENT = "%"
SHOWN = 30
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_SUFFIX = re.compile(r"^(?P<number>.*?)(?P<suffix>[万亿]?美元|[万亿]?元|万|亿|%)$")


class Percent(float):
    """A number the workbook shows as a percentage (its cell's format has `%`):
    0.2857 shown as 28.57%."""


class NumberError(ValueError):
    """The value is not a figure; the message says why, for the person who typed it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_unit(unit: str) -> str:
    """`（万元）`, ` 万元 `, `％` → `万元`, `万元`, `%`."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit or ""))
    return text.strip("()[]【】")


def is_money(unit: str) -> bool:
    return normalise_unit(unit) in MONEY


def _convertible(source: str, target: str) -> bool:
    """Both amounts of the same currency: 万元 and 亿元 yes, 万元 and 万美元 no."""
    return source in MONEY and target in MONEY and MONEY[source][0] == MONEY[target][0]


def _ratio(source: str, target: str) -> Decimal:
    """How many `target` units one `source` unit is: 万元 → 亿元 is 10⁻⁴."""
    return MONEY[source][1] / MONEY[target][1]


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _exact(value: float) -> Decimal:
    """A float as the shortest decimal that reads back as it (0.1 → 0.1)."""
    return Decimal(repr(value))


def parse_figure(
    value: Any, *, unit: str = "", column_unit: str | None = None, places: int = 4
) -> Decimal | None:
    """The figure of a cell in the indicator's `unit`, or None when not reported.

    `column_unit` is the unit the column's header names, when it names one; a plain
    number is in that unit. Raises NumberError for anything else."""
    unit = normalise_unit(unit)
    column = normalise_unit(column_unit) if column_unit else unit
    if column != unit and not _convertible(column, unit) and unit:
        raise NumberError(
            _("the column is in %(column)s but the indicator in %(unit)s: write it in %(unit)s")
            % {"column": column, "unit": unit}
        )
    if not unit and column:
        unit = column  # the header says what the indicator does not
    # From here on a suffix is read in the column's unit, then the column's unit is
    # converted to the indicator's.
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberError(_("%(value)s is not a number") % {"value": _shown(value)})
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise NumberError(
            _(
                "the cell holds a date, not a number: set its format to 常规 (General) or text and type the figure again"
            )
        )
    converted = False
    if isinstance(value, Percent):
        if unit != PERCENT:
            raise NumberError(
                _("the cell is formatted as a percentage, but the indicator is in %(unit)s")
                % {"unit": unit or _("no unit")}
            )
        number = _exact(float(value)) * 100
        converted = True
    elif isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and (value != value or value in (float("inf"), -float("inf"))):
            raise NumberError(_("%(value)s is not a number") % {"value": _shown(value)})
        number = _exact(value) if isinstance(value, float) else Decimal(value)
        converted = isinstance(value, float)  # a float is as exact as Excel keeps it
    elif isinstance(value, str):
        typed, converted = _parse_text(value, column or unit)
        if typed is None:
            return None
        number = typed
    else:
        raise NumberError(_("%(value)s is not a number") % {"value": _shown(value)})
    if column != unit and _convertible(column, unit):
        number = number * _ratio(column, unit)
        converted = True
    if number < 0:
        raise NumberError(_("a figure cannot be negative: %(value)s") % {"value": _shown(value)})
    quantum = Decimal(1).scaleb(-places)
    if converted:
        number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    elif number.as_tuple().exponent < -places:  # type: ignore[operator]
        raise NumberError(
            _("%(value)s has more than %(n)s decimal places")
            % {"value": _shown(value), "n": places}
        )
    return _plain(number)


def _plain(number: Decimal) -> Decimal:
    """Without trailing zeros, never in exponent form: 1000.0000 → 1000, 28.5700 → 28.57."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def _parse_text(value: str, unit: str) -> tuple[Decimal | None, bool]:
    text = unicodedata.normalize("NFKC", value).strip()
    if re.search(r"[0-9]\s+[0-9]", text):
        raise NumberError(
            _("cannot read %(value)s: a space inside a number, or two numbers")
            % {"value": _shown(value)}
        )
    text = re.sub(r"\s+", "", text)
    if text in NOT_REPORTED:
        return None, False
    # NFKC leaves the ideographic comma and full stop as they are.
    text = text.replace("，", ",").replace("。", ".")
    negative = text.startswith("-") or text.startswith("−")
    if negative:
        text = text[1:]
    multiplier = Decimal(1)
    converted = False
    match = _SUFFIX.match(text)
    if match:
        suffix, text = match.group("suffix"), match.group("number")
        if suffix == PERCENT:
            if unit != PERCENT:
                raise NumberError(
                    _("%(value)s is a percentage, but the indicator is in %(unit)s")
                    % {"value": _shown(value), "unit": unit or _("no unit")}
                )
        elif suffix in MONEY:
            if not _convertible(suffix, unit):
                raise NumberError(
                    _("%(value)s is an amount of money, but the indicator is in %(unit)s")
                    % {"value": _shown(value), "unit": unit or _("no unit")}
                )
            multiplier = _ratio(suffix, unit)
            converted = suffix != unit
        else:
            if not unit:
                raise NumberError(
                    _(
                        "%(value)s: the indicator names no unit of measure, so %(suffix)s cannot be converted; write the plain number"
                    )
                    % {"value": _shown(value), "suffix": suffix}
                )
            if unit == PERCENT:
                raise NumberError(
                    _("%(value)s: a percentage has no %(suffix)s")
                    % {"value": _shown(value), "suffix": suffix}
                )
            base = MONEY[unit][1] if unit in MONEY else Decimal(1)
            multiplier = SUFFIXES[suffix] / base
            converted = True
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif "," in text:
        raise NumberError(
            _("cannot read %(value)s: a comma may only separate thousands, as in 1,234.5")
            % {"value": _shown(value)}
        )
    if not _PLAIN.fullmatch(text):
        raise NumberError(_("%(value)s is not a number") % {"value": _shown(value)})
    try:
        number = Decimal(text) * multiplier
    except InvalidOperation:  # pragma: no cover - the pattern lets only digits through
        raise NumberError(_("%(value)s is not a number") % {"value": _shown(value)}) from None
    if negative and number != 0:
        raise NumberError(_("a figure cannot be negative: %(value)s") % {"value": _shown(value)})
    return number, converted
