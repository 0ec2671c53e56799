"""What every import of a sheet needs besides reading it (`sanhao.lib.xlsx`): problems
located by sheet, row and column, and finding the header the way clerks lay it out.

A clerk's sheet often has a title above its header, merged across the columns
(`2026年1—10月各镇（街道）主要指标完成情况`), a unit of measure in brackets in a
header, in either width (`开票销售（亿元）`, `开票销售(亿元)`, `开票销售【亿元】`), a `*`
the template put on a required column, blank rows and columns at the end, and a total
row (`合计`). `find_header` finds the header row among the first rows by a column it
must have; `split_header` takes a header apart into its name and its unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

HEADER_SEARCH = 10  # rows above the header a sheet may have (titles, notes)
SHOWN = 30
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "全区", "全区合计", "合 计"})
_BRACKETED = re.compile(r"^(?P<name>.*?)[(\[【〔](?P<unit>[^()\[\]【】〔〕]*)[)\]】〕]$")


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int | None
    column: str  # "C（开票销售）": the column letter and its header
    message: str

    def __str__(self) -> str:
        values = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.row is not None and self.column:
            return _("sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % values
        if self.row is not None:
            return _("sheet %(sheet)s, row %(row)s: %(message)s") % values
        return _("sheet %(sheet)s: %(message)s") % values


def normalise(value: Any) -> str:
    """Full-width to half-width (NFKC), no spaces of any width."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def split_header(value: Any) -> tuple[str, str]:
    """`开票销售（亿元）*` → (`开票销售`, `亿元`); `单位代码*` → (`单位代码`, ``)."""
    text = normalise(value).rstrip("*")
    match = _BRACKETED.match(text)
    if match:
        return match.group("name").rstrip("*"), match.group("unit")
    return text, ""


def where(index: int, title: str) -> str:
    """The column as a message names it: `C（开票销售）`."""
    return f"{get_column_letter(index + 1)}（{title}）"


def shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Header:
    number: int  # the header's row number
    cells: dict[int, Any]  # column index → the header's text as written
    above: list[tuple[int, dict[int, Any]]]  # the rows above it (titles)


def find_header(rows: Iterator[tuple[int, dict[int, Any]]], names: set[str]) -> Header | None:
    """The first row, among the first `HEADER_SEARCH` holding a value, with a cell whose
    name (`split_header`) is one of `names`; None when there is none."""
    above: list[tuple[int, dict[int, Any]]] = []
    for number, cells in rows:
        if any(split_header(v)[0] in names for v in cells.values() if isinstance(v, str)):
            return Header(number, cells, above)
        above.append((number, cells))
        if len(above) >= HEADER_SEARCH:
            return None
    return None


def _size_note() -> str:
    """The upload's limits as the clerk reads them under the field (in the language of
    the request that shows it: `size_note` is lazy)."""
    return _(
        "At most %(max)s KB. A file larger than %(job)s KB is imported in the background: "
        "its page shows the progress and then the result."
    ) % {"max": int(settings.ROSTER_MAX_BYTES) // 1024,
         "job": int(getattr(settings, "IMPORT_JOB_BYTES", 0)) // 1024}  # fmt: skip


size_note = lazy(_size_note, str)


class WorkbookField(forms.FileField):
    """An uploaded .xlsx no larger than the roster's limit (ROSTER_MAX_KB); what is in
    it is checked by the reader."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("workbook (.xlsx)"))
        kwargs.setdefault("help_text", size_note())
        super().__init__(**kwargs)
        self.widget.attrs.setdefault(
            "accept", ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is None:
            return upload
        limit = int(settings.ROSTER_MAX_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(kb)s KB.") % {"kb": limit // 1024}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook ending in .xlsx."))
        return upload
