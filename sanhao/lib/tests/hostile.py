"""Workbooks nobody should send, built in memory for the tests and the bench: a renamed
.xls, a CSV renamed .xlsx, a zip bomb, an entity bomb in sharedStrings.xml, a sheet of
many rows. Large parts are streamed into the zip, never held whole."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

X = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
BOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{X}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "{strings}</Relationships>"
)
STRINGS_REL = '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'


def workbook(sheet: Iterable[str], *, name: str = "月度实绩", strings: str | None = None) -> bytes:
    """A workbook of one sheet whose XML is the chunks of `sheet`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", BOOK.replace("{name}", name))
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            BOOK_RELS.replace("{strings}", STRINGS_REL if strings is not None else ""),
        )
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", strings)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet:
                part.write(chunk.encode())
    return out.getvalue()


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def actuals_rows(n: int, codes: list[str] | None = None) -> Iterator[str]:
    """The actuals sheet with a header and `n` unit rows (codes U00001 … or as given)."""
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{X}"><sheetData>'
    yield (
        '<row r="1">'
        + "".join(
            _cell(f"{c}1", h)
            for c, h in zip(
                "ABCDE", ["单位代码", "单位名称", "开票销售", "到账外资", "工业投资"], strict=True
            )
        )
        + "</row>"
    )
    buffer = []
    for i in range(n):
        number = i + 2
        code = codes[i] if codes else f"U{i + 1:05d}"
        buffer.append(
            f'<row r="{number}">{_cell(f"A{number}", code)}'
            f'<c r="C{number}"><v>{100 + i % 997}.5</v></c><c r="D{number}"><v>{i % 89}</v></c>'
            f'<c r="E{number}"><v>{i % 13}.25</v></c></row>'
        )
        if len(buffer) == 1000:
            yield "".join(buffer)
            buffer.clear()
    yield "".join(buffer)
    yield "</sheetData></worksheet>"


def many_rows(n: int) -> bytes:
    return workbook(actuals_rows(n))


def zip_bomb(megabytes: int = 200) -> bytes:
    """A sheet of `megabytes` MB of blanks inside its data: a few hundred KB zipped."""

    def sheet() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{X}"><sheetData>'
        blank = " " * (1024 * 1024)
        for _i in range(megabytes):
            yield blank
        yield "</sheetData></worksheet>"

    return workbook(sheet())


def entity_bomb() -> bytes:
    """Billion laughs in sharedStrings.xml: ten levels of ten, a few hundred bytes."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{"".join(levels)}]>'
        f'<sst xmlns="{X}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    sheet = [
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{X}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    ]
    return workbook(sheet, strings=strings)


def renamed_xls() -> bytes:
    """The first bytes of a compound document (BIFF8 .xls), as Excel 97-2003 writes."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + b"\x3e\x00\x03\x00\xfe\xff"
        + b"\x00" * 4000
    )


def renamed_csv() -> bytes:
    return "单位代码,单位名称,开票销售\r\ntown-a,甲镇,12\r\n".encode("gb18030")
