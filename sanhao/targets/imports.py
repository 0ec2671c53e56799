"""A month's actuals in Excel: a template to download, and an all-or-nothing import.

The layout is the one statistics offices circulate: one sheet 月度实绩, a title row
merged across the columns (`2026年1—10月各单位指标累计实绩`), a header, then one row
per unit and one column per indicator of the year's scheme, its unit of measure in
brackets (`开票销售（亿元）`). The values are cumulative from January to the month, as
the statistics bureau reports them. The office's template lists every unit; a liaison's
only their own. The template holds the figures already entered for that month, so that
a clerk changes what moved and uploads it again: an unchanged figure writes nothing.

The import reads the file with `sanhao.lib.xlsx` (bounded, streamed), finds the header
among the first rows, takes each indicator column by its name (or its id) and each row's
unit by its code (or, without a code column, its name), and reads every cell with
`sanhao.lib.numbers.parse_figure` in the indicator's unit. `—`, `-`, `/` and empty are
not reported and leave the figure as it is; a 合计 row is skipped. Every problem is
collected with its sheet, row and column; nothing is written unless there is none.
Then every unit's figures are written in one transaction by
`targets.services.enter_figures_of_units` (the checks of `enter_figures` for each unit,
a fixed number of queries, one audit entry listing every change); a refusal there rolls
all of it back and is reported on the unit's row.

A liaison imports only their own unit: another unit's row is a problem, not a write. A
locked month is the office's, and needs a reason (services.enter_figures).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from sanhao.accounts.roles import is_office
from sanhao.campaigns.models import CampaignYear
from sanhao.lib import xlsx
from sanhao.lib.numbers import NumberError, parse_figure
from sanhao.lib.xlsx_import import (
    TOTAL_WORDS,
    Problem,
    find_header,
    is_blank,
    normalise,
    shown,
    split_header,
    where,
)
from sanhao.orgs.models import Unit
from sanhao.scoring.scheme import Indicator
from sanhao.targets import services
from sanhao.targets.models import Figure

SHEET = "月度实绩"
CODE, NAME = "单位代码", "单位名称"
# 10,000 rows: far more units than a district has, and a file of a few MB.
LIMITS = xlsx.Limits(entries=100, unpacked=32 * 1024 * 1024, strings=200_000, rows=10_000)
_TITLE_MONTH = re.compile(r"(?P<year>\d{4})年(?:1[-—–~至到])?(?P<month>\d{1,2})月")


def measure_of(indicator: Indicator) -> str:
    """The indicator's unit of measure in the year's scheme (万元, 亿元, 个 …), "" when the
    scheme names none: a header's unit in brackets then says what a column is in."""
    return indicator.unit or ""


def header_of(indicator: Indicator) -> str:
    unit = measure_of(indicator)
    return f"{indicator.name}（{unit}）" if unit else indicator.name


def title_of(year: CampaignYear, month: int) -> str:
    span = "1月" if month == 1 else f"1—{month}月"
    return f"{year.year}年{span}各单位指标累计实绩"


# The template ----------------------------------------------------------------------


def build_template(
    year: CampaignYear,
    units: Sequence[Unit],
    month: int,
    current: dict[tuple[int, str, str, int], Decimal] | None = None,
) -> bytes:
    """The month's sheet for these units, with what is entered already, and notes."""
    indicators = services.indicators_of(year)
    current = current or {}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    width = 2 + len(indicators)
    sheet.append([title_of(year, month)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 2))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"{CODE}*", NAME, *(header_of(i) for i in indicators)])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for unit in units:
        values: list[Any] = [unit.code, unit.name]
        for indicator in indicators:
            value = current.get((unit.pk, indicator.id, Figure.Kind.ACTUAL, month))
            values.append(float(value) if value is not None else None)
        sheet.append(values)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 16
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    for row in sheet.iter_rows(min_row=3, max_row=2 + len(units), min_col=1, max_col=1):
        row[0].number_format = "@"
    sheet.freeze_panes = "C3"
    notes = book.create_sheet("说明")
    for line in (
        [f"三好创争 · {year.year}年月度实绩导入模板（{month}月）"],
        [],
        ["每行一个单位，每列一个指标；填写自1月起至本月的累计数，单位见表头括号。"],
        [
            "数字可写 1,234.5、１２３４、12.3万、1.2亿（按表头单位换算）；百分比可写 28.57% 或设为百分比格式。"
        ],
        ["未报送的填 —、-、/ 或留空：已录入的数字保持不变。合计行会被忽略。"],
        ["请勿修改单位代码与表头；上传时先检查每一行，全部无误才会保存。"],
        ["本月已锁定的，只有工作专班可以更正，并须填写原因。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The import ------------------------------------------------------------------------


@dataclass
class ActualsReport:
    month: int
    problems: list[Problem] = field(default_factory=list)
    units: int = 0  # units whose row was read
    changed: int = 0  # figures written
    figures: int = 0  # figures given

    @property
    def ok(self) -> bool:
        return not self.problems


def outcome_message(report: ActualsReport) -> str:
    """What the clerk is told of an import that was saved."""
    if not report.changed:
        return _("Nothing changed: every figure was as saved.")
    return ngettext(
        "Imported: %(n)s figure changed.", "Imported: %(n)s figures changed.", report.changed
    ) % {"n": report.changed}


@dataclass
class _Column:
    index: int
    indicator: Indicator
    unit: str
    where: str


def import_actuals(
    data: bytes,
    *,
    year: CampaignYear,
    month: int,
    actor: Any,
    reason: str = "",
    own_unit: Unit | None = None,
) -> ActualsReport:
    """Check every row, then write every unit's figures or none.

    `own_unit`: the only unit the actor may write (a liaison's); None for the office."""
    report = ActualsReport(month=month)
    if not is_office(actor) and own_unit is None:
        report.problems.append(
            Problem(_("file"), None, "", _("You may only enter the figures of your own unit."))
        )
        return report
    try:
        book = xlsx.Workbook(data, LIMITS)
        entries = _read(book, year, month, own_unit, report)
    except xlsx.WorkbookError as error:  # the file's one problem, whatever its rows had
        report.problems[:] = [Problem(error.sheet or _("file"), None, "", error.message)]
        return report
    if report.problems:
        return report
    locked = month in services.locked_months(year)
    if locked and not is_office(actor):
        report.problems.append(
            Problem(SHEET, None, "", _("Month %(m)s is locked: ask the campaign office to correct it.") % {"m": month})
        )  # fmt: skip
    elif locked and not reason.strip():
        report.problems.append(
            Problem(SHEET, None, "", _("Month %(m)s is locked: a correction needs a reason.") % {"m": month})
        )  # fmt: skip
    if report.problems or not entries:
        return report
    rows = {unit.pk: row for unit, (row, _figures) in entries.items()}
    try:
        new = services.enter_figures_of_units(
            year,
            [(unit, figures) for unit, (_row, figures) in entries.items()],
            reason=reason,
            actor=actor,
            source={"month": month, "sha256": hashlib.sha256(data).hexdigest(),
                    "rows": report.units},
        )  # fmt: skip
    except services.UnitFiguresRefused as error:
        report.problems.append(Problem(SHEET, rows.get(error.unit.pk), "", error.message))
        return report
    report.changed = len(new)
    return report


def _read(
    book: xlsx.Workbook,
    year: CampaignYear,
    month: int,
    own_unit: Unit | None,
    report: ActualsReport,
) -> dict[Unit, tuple[int, list[services.Entry]]]:
    """The entries of each unit's row; the problems go into the report."""
    problems = report.problems
    names = book.sheet_names
    sheet = SHEET if SHEET in names else (names[0] if names else "")
    if not sheet:
        problems.append(Problem(_("file"), None, "", _("the workbook has no sheet")))
        return {}
    rows = book.rows(sheet)
    header = find_header(rows, {CODE, NAME})
    if header is None:
        problems.append(
            Problem(sheet, None, "", _("no header row with the column %(column)s was found in the first rows") % {"column": CODE})
        )  # fmt: skip
        return {}
    _check_title(sheet, header.above, year, month, problems)
    indicators = services.indicators_of(year)
    by_name = {normalise(i.name): i for i in indicators} | {i.id: i for i in indicators}
    code_column = name_column = None
    columns: list[_Column] = []
    taken: dict[str, int] = {}
    for index in sorted(header.cells):
        raw = header.cells[index]
        if is_blank(raw):
            continue
        name, header_unit = split_header(raw)
        if name == CODE:
            code_column = index
            continue
        if name == NAME:
            name_column = index
            continue
        indicator = by_name.get(name)
        place = where(index, name)
        if indicator is None:
            problems.append(
                Problem(sheet, header.number, place, _("the year's scheme has no indicator %(name)s") % {"name": shown(name)})
            )  # fmt: skip
            continue
        if indicator.id in taken:
            problems.append(
                Problem(sheet, header.number, place, _("the indicator is already in column %(column)s") % {"column": get_column_letter(taken[indicator.id] + 1)})
            )  # fmt: skip
            continue
        taken[indicator.id] = index
        try:  # the header's unit must be one the indicator's can be converted from
            parse_figure(None, unit=measure_of(indicator), column_unit=header_unit or None)
        except NumberError as error:
            problems.append(Problem(sheet, header.number, place, error.message))
            continue
        columns.append(_Column(index, indicator, header_unit, place))
    if not columns and not problems:
        problems.append(
            Problem(sheet, header.number, "", _("no column of an indicator of the year's scheme"))
        )
    if problems:
        return {}
    known = {code_column, name_column, *(c.index for c in columns)}
    units = list(Unit.objects.filter(district_id=year.district_id).order_by())
    by_code = {u.code: u for u in units}
    by_unit_name = {normalise(u.name): u for u in units}
    seen: dict[int, int] = {}
    entries: dict[Unit, tuple[int, list[services.Entry]]] = {}
    for number, cells in rows:
        if all(is_blank(v) for v in cells.values()):
            continue
        code = normalise(cells.get(code_column, "")) if code_column is not None else ""
        given_name = normalise(cells.get(name_column, "")) if name_column is not None else ""
        if not code and given_name in TOTAL_WORDS:
            continue
        unit = _unit_of(sheet, number, code, given_name, code_column, name_column,
                        by_code, by_unit_name, problems)  # fmt: skip
        for index, value in cells.items():
            if index not in known and not is_blank(value):
                problems.append(
                    Problem(sheet, number, get_column_letter(index + 1), _("a value in a column without a header: %(value)s") % {"value": shown(value)})
                )  # fmt: skip
        if unit is None:
            continue
        if own_unit is not None and unit.pk != own_unit.pk:
            problems.append(
                Problem(sheet, number, where(code_column if code_column is not None else name_column or 0, CODE if code_column is not None else NAME),
                        _("you may only enter the figures of your own unit, %(unit)s, not of %(other)s") % {"unit": own_unit.name, "other": unit.name})
            )  # fmt: skip
            continue
        if unit.pk in seen:
            problems.append(
                Problem(sheet, number, "", _("the same unit as row %(row)s") % {"row": seen[unit.pk]})
            )  # fmt: skip
            continue
        seen[unit.pk] = number
        report.units += 1
        figures: list[services.Entry] = []
        for column in columns:
            try:
                value = parse_figure(
                    cells.get(column.index),
                    unit=measure_of(column.indicator),
                    column_unit=column.unit or None,
                    places=services.PLACES,
                )
            except NumberError as error:
                problems.append(Problem(sheet, number, column.where, error.message))
                continue
            if value is None:
                continue
            if value >= services.MAX_VALUE:
                problems.append(Problem(sheet, number, column.where, _("must be less than 10¹⁵")))
                continue
            figures.append(services.Entry(column.indicator.id, Figure.Kind.ACTUAL, month, value))
        report.figures += len(figures)
        if not problems and figures:
            entries[unit] = (number, figures)
    if not seen and not problems:
        problems.append(Problem(sheet, None, "", _("the sheet has no row of a unit")))
    return {} if problems else entries


def _unit_of(
    sheet: str,
    number: int,
    code: str,
    name: str,
    code_column: int | None,
    name_column: int | None,
    by_code: dict[str, Unit],
    by_name: dict[str, Unit],
    problems: list[Problem],
) -> Unit | None:
    if code_column is not None:
        place = where(code_column, CODE)
        if not code:
            problems.append(Problem(sheet, number, place, _("must not be empty")))
            return None
        unit = by_code.get(code)
        if unit is None:
            problems.append(
                Problem(
                    sheet,
                    number,
                    place,
                    _("no unit with the code %(code)s") % {"code": shown(code)},
                )
            )
            return None
        if name and name != normalise(unit.name):
            assert name_column is not None
            problems.append(
                Problem(sheet, number, where(name_column, NAME), _("the unit %(code)s is %(name)s, not %(given)s") % {"code": code, "name": unit.name, "given": shown(name)})
            )  # fmt: skip
            return None
        return unit
    assert name_column is not None
    place = where(name_column, NAME)
    if not name:
        problems.append(Problem(sheet, number, place, _("must not be empty")))
        return None
    unit = by_name.get(name)
    if unit is None:
        problems.append(
            Problem(sheet, number, place, _("no unit named %(name)s") % {"name": shown(name)})
        )
    return unit


def _check_title(
    sheet: str,
    above: list[tuple[int, dict[int, Any]]],
    year: CampaignYear,
    month: int,
    problems: list[Problem],
) -> None:
    """A title that names a year and month other than the chosen ones is a problem."""
    for number, cells in above:
        for value in cells.values():
            match = _TITLE_MONTH.search(normalise(value))
            if match is None:
                continue
            said = (int(match.group("year")), int(match.group("month")))
            if said != (year.year, month):
                problems.append(
                    Problem(sheet, number, "", _("the title says %(said)s, but the import is for %(chosen)s: choose the month of the file")
                            % {"said": f"{said[0]}年{said[1]}月", "chosen": f"{year.year}年{month}月"})
                )  # fmt: skip
            return
