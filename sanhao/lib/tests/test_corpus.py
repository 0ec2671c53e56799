"""Files saved by openpyxl, LibreOffice and (crafted like) WPS read the same.

The corpus is made by scripts/make_xlsx_corpus.py (which says how each file is made);
the files are committed so that this test needs neither LibreOffice nor WPS."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanhao.lib.numbers import Percent
from sanhao.lib.xlsx import Workbook

CORPUS = Path(__file__).parent / "corpus"
SAVERS = ["openpyxl", "libreoffice", "wps"]


def read(name: str) -> list[tuple[int, dict[int, object]]]:
    book = Workbook((CORPUS / f"{name}.xlsx").read_bytes())
    assert book.sheet_names == ["月度实绩"]
    return list(book.rows("月度实绩"))


def typed(rows):
    return [(n, {k: (type(v).__name__, v) for k, v in cells.items()}) for n, cells in rows]


@pytest.mark.parametrize("saver", SAVERS[1:])
def test_it_reads_what_libreoffice_and_wps_saved_as_what_openpyxl_saved(saver):
    assert typed(read(saver)) == typed(read("openpyxl"))


def test_it_reads_the_corpus_as_the_clerk_typed_it():
    rows = dict(read("openpyxl"))
    assert list(rows) == [1, 2, 3, 4, 5, 6]  # the blank formatted cells below make no row
    assert rows[1] == {0: "2026年1—10月各单位指标累计实绩"}
    assert rows[2][2] == "开票销售（万元）"
    assert rows[3] == {0: "town-a", 1: "甲镇", 2: "1,234.5", 3: "１２３４", 4: "28.57%"}
    assert isinstance(rows[4][4], Percent) and rows[4][4] == 0.2857
    assert rows[6] == {0: "town-d", 1: "丁镇", 2: 1234.5, 4: 12}


def test_it_keeps_the_wps_file_as_wps_writes_it():
    """The crafted file has what sets WPS's files apart, or the test above proves little."""
    import zipfile

    with zipfile.ZipFile(CORPUS / "wps.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert "xl/sharedStrings.xml" not in z.namelist()
    assert "<x:dimension" not in sheet and 't="inlineStr"' in sheet and 't="str"' in sheet
    with zipfile.ZipFile(CORPUS / "libreoffice.xlsx") as z:
        assert "LibreOffice" in z.read("docProps/app.xml").decode()
