"""Make the Excel corpus of the reader's tests (sanhao/lib/tests/corpus/).

One month's actuals of the test world's two towns, as a clerk fills them in, saved three
ways that must read the same:

- `openpyxl.xlsx`: written by openpyxl (shared strings, a `<dimension>`, openpyxl's styles);
- `libreoffice.xlsx`: that file opened and saved again by LibreOffice Calc
  (`soffice --headless --convert-to xlsx`), which rewrites every part its own way;
- `wps.xlsx`: written here by hand from XML the way WPS Office saves: inline strings
  (`t="inlineStr"`), a formula's cached text result (`t="str"`), no `<dimension>`, a
  styles part of its own with the percentage as custom format 176, the `x:` prefix on the
  SpreadsheetML namespace of the workbook and the sheet. It is crafted, not saved by
  WPS (not installable here), after the files WPS 2019 writes.

The values cover what the import must read: a merged title row, full-width brackets in
headers, `1,234.5` as text, `１２３４`, `12.3万`, `1.2亿`, `28.57%` as text and 0.2857
formatted as a percentage, `—`, `-`, `/` and empty cells, and blank rows and columns
after the data (formatted but empty). Run once and commit the files:

    .venv/bin/python scripts/make_xlsx_corpus.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Font

OUT = Path(__file__).resolve().parent.parent / "sanhao" / "lib" / "tests" / "corpus"
TITLE = "2026年1—10月各单位指标累计实绩"
HEADER = ["单位代码*", "单位名称", "开票销售（万元）", "到账外资（万元）", "工业投资（%）"]
# Each row: code, name, and the three indicators; a float marked "%" is a percent cell.
ROWS: list[list[object]] = [
    ["town-a", "甲镇", "1,234.5", "１２３４", "28.57%"],
    ["town-b", "乙街道", "1.2亿", "12.3万", ("%", 0.2857)],
    ["town-c", "丙镇", "—", "-", "/"],
    ["town-d", "丁镇", 1234.5, None, 12],
]


def openpyxl_file(path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "月度实绩"
    ws.append([TITLE])
    ws.merge_cells("A1:E1")
    ws["A1"].font = Font(bold=True)
    ws.append(HEADER)
    for number, row in enumerate(ROWS, start=3):
        for column, value in enumerate(row, start=1):
            if isinstance(value, tuple):
                cell = ws.cell(number, column, value[1])
                cell.number_format = "0.00%"
            elif value is not None:
                ws.cell(number, column, value)
    for ref in ("F3", "G8", "A12", "C15"):  # formatted, empty: trailing blank cells
        ws[ref].font = Font(italic=True)
    book.save(path)


def libreoffice_file(source: Path, path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "in" / source.name
        copy.parent.mkdir()
        shutil.copy(source, copy)
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless",
             "--convert-to", "xlsx", "--outdir", f"{folder}/out", str(copy)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        shutil.copy(Path(folder) / "out" / source.name, path)


X = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _inline(ref: str, text: str, style: int = 0) -> str:
    return f'<x:c r="{ref}" s="{style}" t="inlineStr"><x:is><x:t>{escape(text)}</x:t></x:is></x:c>'


def wps_file(path: Path) -> None:
    letters = "ABCDE"
    rows = [f'<x:row r="1">{_inline("A1", TITLE, 1)}</x:row>']
    rows.append(
        '<x:row r="2">'
        + "".join(_inline(f"{letters[i]}2", h, 1) for i, h in enumerate(HEADER))
        + "</x:row>"
    )
    for number, row in enumerate(ROWS, start=3):
        cells = []
        for i, value in enumerate(row):
            ref = f"{letters[i]}{number}"
            if value is None:
                continue
            if isinstance(value, tuple):
                cells.append(f'<x:c r="{ref}" s="2"><x:v>{value[1]}</x:v></x:c>')
            elif isinstance(value, str) and i == 1:
                # The unit's name as a formula's cached text, as WPS keeps =TRIM(…).
                cells.append(f'<x:c r="{ref}" t="str"><x:f>TRIM("{escape(value)}")</x:f><x:v>{escape(value)}</x:v></x:c>')  # fmt: skip
            elif isinstance(value, str):
                cells.append(_inline(ref, value))
            else:
                cells.append(f'<x:c r="{ref}"><x:v>{value}</x:v></x:c>')
        rows.append(f'<x:row r="{number}" spans="1:5">{"".join(cells)}</x:row>')
    rows.append('<x:row r="12" ht="14.4"><x:c r="A12" s="3"/><x:c r="C12" s="3"/></x:row>')
    rows.append(
        '<x:row r="15"><x:c r="C15" s="3" t="inlineStr"><x:is><x:t></x:t></x:is></x:c></x:row>'
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:worksheet xmlns:x="{X}" xmlns:r="{R}">'
        '<x:sheetPr/><x:sheetViews><x:sheetView workbookViewId="0"/></x:sheetViews>'
        '<x:sheetFormatPr defaultRowHeight="14.4"/>'
        f"<x:sheetData>{''.join(rows)}</x:sheetData>"
        '<x:mergeCells count="1"><x:mergeCell ref="A1:E1"/></x:mergeCells>'
        '<x:pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</x:worksheet>"
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:workbook xmlns:x="{X}" xmlns:r="{R}">'
        '<x:workbookPr/><x:bookViews><x:workbookView windowWidth="28800" windowHeight="12540"/></x:bookViews>'
        '<x:sheets><x:sheet name="月度实绩" sheetId="1" r:id="rId1"/></x:sheets>'
        '<x:calcPr calcId="144525"/></x:workbook>'
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{X}">'
        '<numFmts count="1"><numFmt numFmtId="176" formatCode="0.00%"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font>'
        '<font><b/><sz val="11"/><name val="宋体"/><charset val="134"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ),
        "docProps/app.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>WPS 表格</Application><AppVersion>11.1.0.11664</AppVersion></Properties>"
        ),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, text in parts.items():
            out.writestr(name, text)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    openpyxl_file(OUT / "openpyxl.xlsx")
    libreoffice_file(OUT / "openpyxl.xlsx", OUT / "libreoffice.xlsx")
    wps_file(OUT / "wps.xlsx")
    for name in ("openpyxl", "libreoffice", "wps"):
        print(OUT / f"{name}.xlsx", (OUT / f"{name}.xlsx").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
