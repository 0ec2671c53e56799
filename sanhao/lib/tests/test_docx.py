"""Word documents in the GB/T 9704-2012 layout, read back with python-docx."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from sanhao.lib.docx import (
    CONTENT_TYPE,
    FANGSONG,
    HEITI,
    KAITI,
    XIAOBIAOSONG,
    Heading,
    Section,
    chinese_date,
    official_document,
    report_document,
    response,
)

ISSUER = "中共泰州市姜堰区委组织部"


def _document(**changes) -> bytes:
    given: dict[str, Any] = dict(
        issuer=ISSUER,
        number="姜组发〔2026〕12号",
        title="关于2026年度“三好”评选结果的公示",
        addressee="各镇街党（工）委：",
        paragraphs=[
            "经研究，现将评选结果予以公示。",
            Heading("一、公示名单"),
            Heading("（一）好班子", 2),
        ],
        sections=[
            Section("好班子", ["单位", "姓名", "职务", "S"], [["甲镇", "", "领导班子", 92.5]]),
            Section(
                "好班长",
                ["单位", "姓名", "职务"],
                [["乙街道", "乙书记", "党工委书记"]],
                note="共1人",
            ),
        ],
        closing=["公示时间：2026年12月2日至2026年12月8日。"],
        signature=ISSUER,
        date=dt.date(2026, 12, 1),
        footnote="联系电话：0523-88888888",
    )
    return official_document(**(given | changes))


def _east_asian(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _paragraph(doc, text):
    return next(p for p in doc.paragraphs if p.text == text)


def test_it_is_a_word_document():
    content = _document()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "[Content_Types].xml" in archive.namelist()
        assert "word/document.xml" in archive.namelist()
        assert archive.testzip() is None


def test_it_has_the_page_of_the_standard():
    section = Document(io.BytesIO(_document())).sections[0]

    def mm(length) -> float:
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert mm(section.top_margin) == 37 and mm(section.bottom_margin) == 35
    assert mm(section.left_margin) == 28 and mm(section.right_margin) == 26
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines in 225 mm


def test_it_has_the_red_header_the_number_and_the_rule():
    doc = Document(io.BytesIO(_document()))
    mark = _paragraph(doc, ISSUER)
    run = mark.runs[0]
    assert _east_asian(run) == XIAOBIAOSONG and str(run.font.color.rgb) == "FF0000"
    assert run.font.size.pt >= 26 and mark.alignment == 1  # centred
    number = _paragraph(doc, "姜组发〔2026〕12号")
    assert number.alignment == 1
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    texts = [p.text for p in doc.paragraphs]
    assert (
        texts.index(ISSUER)
        < texts.index("姜组发〔2026〕12号")
        < texts.index("关于2026年度“三好”评选结果的公示")
    )


def test_it_sets_the_fonts_for_chinese_text():
    doc = Document(io.BytesIO(_document()))
    title = _paragraph(doc, "关于2026年度“三好”评选结果的公示").runs[0]
    assert _east_asian(title) == XIAOBIAOSONG and title.font.size.pt == 22
    body = _paragraph(doc, "经研究，现将评选结果予以公示。")
    assert _east_asian(body.runs[0]) == FANGSONG and body.runs[0].font.size.pt == 16
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters
    assert body._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert _east_asian(_paragraph(doc, "一、公示名单").runs[0]) == HEITI
    assert _east_asian(_paragraph(doc, "（一）好班子").runs[0]) == KAITI
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == FANGSONG


def test_it_writes_the_lists_as_tables():
    doc = Document(io.BytesIO(_document()))
    first, second = doc.tables
    assert [c.text for c in first.rows[0].cells] == ["单位", "姓名", "职务", "S"]
    assert [c.text for c in first.rows[1].cells] == ["甲镇", "", "领导班子", "92.5"]
    assert [c.text for c in second.rows[1].cells] == ["乙街道", "乙书记", "党工委书记"]
    assert _east_asian(first.rows[0].cells[0].paragraphs[0].runs[0]) == HEITI
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "共1人" in [p.text for p in doc.paragraphs]


def test_it_signs_and_dates_to_the_right_and_numbers_the_pages():
    doc = Document(io.BytesIO(_document()))
    texts = [p.text for p in doc.paragraphs]
    date = _paragraph(doc, "2026年12月1日")
    assert date.alignment == 2  # right
    assert texts.index("2026年12月1日") > texts.index("公示时间：2026年12月2日至2026年12月8日。")
    assert texts[texts.index("2026年12月1日") - 1] == ISSUER
    assert "（联系电话：0523-88888888）" in texts
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml and 'w:fldCharType="begin"' in footer._p.xml
    assert doc.sections[0].even_page_footer.paragraphs[0].text == "— 1 —"
    assert doc.core_properties.title == "关于2026年度“三好”评选结果的公示"


def test_it_writes_a_report_without_the_red_header():
    content = report_document(title="甲镇2026年度报告", subtitle="2026年度", paragraphs=["正文"],
                              sections=[Section("得分", ["维度", "得分"], [["K", 90]])])  # fmt: skip
    doc = Document(io.BytesIO(content))
    assert "FF0000" not in doc.element.xml
    assert [p.text for p in doc.paragraphs][:1] == ["甲镇2026年度报告"]
    assert [c.text for c in doc.tables[0].rows[1].cells] == ["K", "90"]


def test_it_drops_characters_a_document_cannot_hold_and_has_no_number_if_none():
    doc = Document(io.BytesIO(_document(number=None, paragraphs=["坏\x00字\x1b符"])))
    assert "坏字符" in [p.text for p in doc.paragraphs]


def test_it_writes_dates_in_arabic_numerals_and_serves_a_download():
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    answer = response(b"x", "公示.docx")
    assert answer["Content-Type"] == CONTENT_TYPE
    assert "filename*=UTF-8''%E5%85%AC%E7%A4%BA.docx" in answer["Content-Disposition"]


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed on this machine")  # fmt: skip
def test_libreoffice_converts_it_to_pdf(tmp_path):
    source = tmp_path / "公示.docx"
    source.write_bytes(_document())
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, timeout=120, capture_output=True)  # fmt: skip
    assert (tmp_path / "公示.pdf").read_bytes().startswith(b"%PDF")
