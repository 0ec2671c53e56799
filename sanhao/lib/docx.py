"""Writing Word documents (.docx) in the layout of a Chinese government document.

One writer for every document the platform issues, after GB/T 9704-2012 《党政机关公文格式》:
A4 paper, margins 37 mm top, 35 mm bottom, 28 mm left (the binding side), 26 mm right,
a text block of 156 × 225 mm holding 22 lines of 28 characters in 3号 (16 pt) 仿宋_GB2312;
the issuer's mark (发文机关标志) in red 小标宋 centred above the document number
(发文字号, e.g. 姜组发〔2026〕12号) and a red rule; the title in 2号 (22 pt) 小标宋;
headings of the first level in 黑体 (一、), of the second in 楷体 (（一）); the body
indented two characters; the issuer's name and the date (Arabic numerals: 2026年12月1日)
to the right; the page number "— 1 —" in 4号 宋体, right on odd pages and left on even
pages, each one character from the edge.

Fonts are set for East Asian text (`w:rFonts w:eastAsia`), which is what Word and WPS use
for Chinese characters, and for Latin text too, so that numbers match. A computer that
lacks 仿宋_GB2312 or 方正小标宋简体 shows a substitute; the document keeps the names.

`official_document` writes a document with the red header; `report_document` one without
it (year reports, lists).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from sanhao.lib.downloads import attachment

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Fonts (the names Word and WPS know them by) and sizes of GB/T 9704-2012.
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)
SIZE_MARK = Pt(36)  # 小初: the issuer's mark (the standard leaves its size to the issuer)
SIZE_TITLE = Pt(22)  # 2号
SIZE_BODY = Pt(16)  # 3号
SIZE_TABLE = Pt(14)  # 4号: lists in tables
SIZE_PAGE_NUMBER = Pt(14)  # 4号
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
LINES_PER_PAGE = 22
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
CHARS_PER_LINE = 28

# The elements of a paragraph's properties that come after its borders (schema order).
_AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
# Characters XML 1.0 cannot hold (python-docx refuses them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Heading:
    """A heading inside the body: level 1 in 黑体 (一、…), level 2 in 楷体 (（一）…), level 3
    in 仿宋 bold (1.…)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Section:
    """A list under a heading: the column names and the rows (texts or numbers); a line of
    text below it if `note`."""

    heading: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""
    widths: Sequence[float] = field(default_factory=tuple)  # in mm; even if empty


Block = str | Heading


def clean(text: Any) -> str:
    """A value as text a document can hold."""
    if text is None:
        return ""
    return _ILLEGAL.sub("", str(text))


def chinese_date(day: dt.date) -> str:
    """A date as GB/T 9704-2012 writes it: 2026年12月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def set_fonts(run: Any, name: str) -> None:
    """`name` for every script of the run: Latin, East Asian (Chinese), complex."""
    run.font.name = name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)


def _style_fonts(style: Any, name: str, size: Any) -> None:
    style.font.name = name
    style.font.size = size
    properties = style.element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:eastAsia"), "zh-CN")


class _Writer:
    """A document being written: the page, the styles, and one method per kind of block."""

    def __init__(self, *, title: str, author: str, day: dt.date | None) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
        section.header_distance, section.footer_distance = Mm(15), Mm(23)
        self._grid(section)
        normal = self.document.styles["Normal"]
        _style_fonts(normal, FANGSONG, SIZE_BODY)
        normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = LINE_PITCH
        properties = self.document.core_properties
        properties.title, properties.author, properties.last_modified_by = title, author, author
        properties.comments = ""
        if day is not None:
            moment = dt.datetime(day.year, day.month, day.day)
            properties.created = properties.modified = moment
        self._page_numbers(section)

    @staticmethod
    def _grid(section: Any) -> None:
        """The standard's grid: 22 lines a page (Word and WPS snap the text to it)."""
        sect = section._sectPr
        grid = sect.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(int(LINE_PITCH.twips)))

    def _page_numbers(self, section: Any) -> None:
        """ "— 1 —" in 4号 宋体: right on odd pages, left on even pages, one character in."""
        self.document.settings.odd_and_even_pages_header_footer = True
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):  # fmt: skip
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = align
            format_ = paragraph.paragraph_format
            format_.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                format_.right_indent = SIZE_PAGE_NUMBER
            else:
                format_.left_indent = SIZE_PAGE_NUMBER
            self._run(paragraph, "— ", SONGTI, SIZE_PAGE_NUMBER)
            self._field(paragraph, "PAGE", "1")
            self._run(paragraph, " —", SONGTI, SIZE_PAGE_NUMBER)

    def _field(self, paragraph: Any, code: str, shown: str) -> None:
        def char(kind: str) -> Any:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            return element

        begin = self._run(paragraph, "", SONGTI, SIZE_PAGE_NUMBER)
        begin._element.append(char("begin"))
        instruction = self._run(paragraph, "", SONGTI, SIZE_PAGE_NUMBER)
        text = OxmlElement("w:instrText")
        text.set(qn("xml:space"), "preserve")
        text.text = f" {code} "
        instruction._element.append(text)
        self._run(paragraph, "", SONGTI, SIZE_PAGE_NUMBER)._element.append(char("separate"))
        self._run(paragraph, shown, SONGTI, SIZE_PAGE_NUMBER)
        self._run(paragraph, "", SONGTI, SIZE_PAGE_NUMBER)._element.append(char("end"))

    @staticmethod
    def _run(paragraph: Any, text: str, font: str, size: Any, *, bold: bool = False,
             color: RGBColor | None = None) -> Any:  # fmt: skip
        run = paragraph.add_run(clean(text))
        set_fonts(run, font)
        run.font.size = size
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color
        return run

    def paragraph(self, text: str = "", *, font: str = FANGSONG, size: Any = SIZE_BODY,
                  align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True,
                  bold: bool = False, color: RGBColor | None = None,
                  exact: bool = True) -> Any:  # fmt: skip
        paragraph = self.document.add_paragraph()
        paragraph.alignment = align
        format_ = paragraph.paragraph_format
        if indent:
            format_.first_line_indent = Pt(size.pt * 2)
            properties = paragraph._p.get_or_add_pPr()
            spacing = properties.find(qn("w:ind"))
            if spacing is not None:
                spacing.set(qn("w:firstLineChars"), "200")
        if not exact:
            format_.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if text:
            self._run(paragraph, text, font, size, bold=bold, color=color)
        return paragraph

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            font = {1: HEITI, 2: KAITI}.get(block.level, FANGSONG)
            self.paragraph(block.text, font=font, bold=block.level >= 3)
        else:
            for line in clean(block).splitlines() or [""]:
                self.paragraph(line.strip())

    def red_header(self, mark: str, number: str | None) -> None:
        """The issuer's mark in red, the document number, and the red rule under them."""
        self.paragraph("", indent=False)
        self.paragraph(mark, font=XIAOBIAOSONG, size=SIZE_MARK, align=WD_ALIGN_PARAGRAPH.CENTER,
                       indent=False, color=RED, exact=False)  # fmt: skip
        self.paragraph("", indent=False)
        rule = self.paragraph(number or "", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "8"),
                           ("w:color", "FF0000")):  # fmt: skip
            bottom.set(qn(f"{key}"), value)
        borders.append(bottom)
        rule._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_BORDERS)
        self.paragraph("", indent=False)

    def title(self, text: str) -> None:
        for line in clean(text).splitlines():
            self.paragraph(line, font=XIAOBIAOSONG, size=SIZE_TITLE,
                           align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)  # fmt: skip
        self.paragraph("", indent=False)

    def table(self, section: Section) -> None:
        self.block(Heading(section.heading, 1))
        columns = [clean(c) for c in section.columns]
        table = self.document.add_table(rows=1, cols=len(columns))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        for cell, name in zip(header.cells, columns, strict=True):
            self._cell(cell, name, HEITI)
        for values in section.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, list(values) + [""] * len(columns), strict=False):
                self._cell(cell, value, FANGSONG)
        if section.widths:
            for row in table.rows:
                for cell, width in zip(row.cells, section.widths, strict=False):
                    cell.width = Mm(width)
        if section.note:
            self.paragraph(section.note)
        else:
            self.paragraph("", indent=False)

    def _cell(self, cell: Any, value: Any, font: str) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.paragraph_format.first_line_indent = Pt(0)
        self._run(paragraph, clean(value), font, SIZE_TABLE)

    def signature(self, signature: str | None, day: dt.date | None) -> None:
        """The issuer's name and the date to the right, the date four characters in."""
        self.paragraph("", indent=False)
        if signature:
            line = self.paragraph(signature, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            line.paragraph_format.right_indent = Pt(SIZE_BODY.pt * 2)
        if day is not None:
            line = self.paragraph(chinese_date(day), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            line.paragraph_format.right_indent = Pt(SIZE_BODY.pt * 4)

    def footnote(self, text: str | None) -> None:
        """附注: in parentheses, two characters in, below the date."""
        if text:
            self.paragraph("", indent=False)
            shown = text if text.startswith("（") else f"（{text}）"
            self.paragraph(shown)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def official_document(
    *,
    issuer: str,
    number: str | None,
    title: str,
    paragraphs: Sequence[Block],
    sections: Sequence[Section] = (),
    closing: Sequence[Block] = (),
    signature: str,
    date: dt.date,
    addressee: str | None = None,
    footnote: str | None = None,
    mark: str | None = None,
) -> bytes:
    """A government document: the red header (`mark`, by default the issuer's name, and
    the document `number`), the title, the addressee (主送机关) if any, the body
    `paragraphs`, the lists of `sections`, the `closing` paragraphs, the signature and the
    date, and a `footnote` (附注) in parentheses."""
    writer = _Writer(title=title, author=issuer, day=date)
    writer.red_header(mark or issuer, number)
    writer.title(title)
    if addressee:
        writer.paragraph(addressee, indent=False)
    for block in paragraphs:
        writer.block(block)
    for section in sections:
        writer.table(section)
    for block in closing:
        writer.block(block)
    writer.signature(signature, date)
    writer.footnote(footnote)
    return writer.bytes()


def report_document(
    *,
    title: str,
    paragraphs: Sequence[Block],
    sections: Sequence[Section] = (),
    closing: Sequence[Block] = (),
    subtitle: str | None = None,
    signature: str | None = None,
    date: dt.date | None = None,
    footnote: str | None = None,
    author: str = "",
) -> bytes:
    """A report in the same page and fonts, without the red header: the title, a
    `subtitle` line (楷体, e.g. the year or the unit), the body, the lists, the closing,
    an optional signature and date, a footnote."""
    writer = _Writer(title=title, author=author or (signature or ""), day=date)
    writer.title(title)
    if subtitle:
        writer.paragraph(subtitle, font=KAITI, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        writer.paragraph("", indent=False)
    for block in paragraphs:
        writer.block(block)
    for section in sections:
        writer.table(section)
    for block in closing:
        writer.block(block)
    if signature or date:
        writer.signature(signature, date)
    writer.footnote(footnote)
    return writer.bytes()


def response(content: bytes, filename: str) -> HttpResponse:
    """A download of the Word document `content` named `filename` (Chinese allowed)."""
    return attachment(content, filename, CONTENT_TYPE)
