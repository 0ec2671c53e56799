"""Writing lists as Excel workbooks (.xlsx) that are safe to open.

One writer for every list the platform exports: openpyxl's write-only mode (rows are
streamed into the file, not kept as cell objects), a bold frozen header, column widths.

Formula injection is neutralised: a text that starts with `=`, `+`, `-`, `@`, a tab or
a carriage return would be taken by Excel or WPS as a formula (or by openpyxl, which
turns a string starting with `=` into one). Every text is written as a text cell
(`t="s"`, never `<f>`), and those starting with one of these characters also get the
style's `quotePrefix`, so that editing the cell in Excel keeps it text. Characters XML
cannot hold are dropped. Numbers, dates and booleans stay what they are.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sanhao.lib.downloads import attachment

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767
_BOLD = Font(bold=True)


@dataclass
class Sheet:
    """One sheet: its title, the header, and the rows (any iterable, consumed once)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=tuple)
    title_row: str = ""  # a line above the header, merged over its columns


def is_risky(text: str) -> bool:
    return text.startswith(RISKY_STARTS)


def _cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    elif value is not None and not isinstance(value, (int, float, bool, dt.date, dt.datetime)):
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL]
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if is_risky(value):
            cell.quotePrefix = True
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = _BOLD
    return cell


def build(sheets: Iterable[Sheet]) -> bytes:
    """The workbook of these sheets, as bytes."""
    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        width = len(spec.header)
        for index in range(width):
            letter = get_column_letter(index + 1)
            given = spec.widths[index] if index < len(spec.widths) else 0
            sheet.column_dimensions[letter].width = given or max(
                10, min(40, 2 * len(spec.header[index]) + 4)
            )
        first = 1
        if spec.title_row:
            sheet.append([_cell(sheet, spec.title_row, bold=True)])
            if width > 1:
                sheet.merged_cells.ranges.add(f"A1:{get_column_letter(width)}1")
            first = 2
        sheet.freeze_panes = f"A{first + 1}"
        sheet.append([_cell(sheet, h, bold=True) for h in spec.header])
        for row in spec.rows:
            sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(content: bytes, filename: str) -> HttpResponse:
    """A download of the workbook `content` named `filename` (Chinese allowed)."""
    return attachment(content, filename, CONTENT_TYPE)


def export(filename: str, *sheets: Sheet) -> HttpResponse:
    return response(build(sheets), filename)
