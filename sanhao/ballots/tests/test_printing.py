"""The printed matter: the code slips and the paper ballot forms, as PDFs that parse."""

from __future__ import annotations

import base64
import re
import zlib
from fractions import Fraction
from typing import Any

import pytest

from sanhao.ballots import paper, printing
from sanhao.ballots.tests.conftest import VOTE_URL, make_session


def page_count(pdf: bytes) -> int:
    """The pages of a PDF, without a PDF library: its page objects."""
    return len(re.findall(rb"/Type /Page(?![a-z])", pdf))


def contents(pdf: bytes) -> list[bytes]:
    """The PDF's streams, decoded (reportlab writes them ASCII85 over Flate)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = raw.strip()
        try:
            if data.endswith(b"~>"):
                data = base64.a85decode(data[:-2])
            out.append(zlib.decompress(data))
        except (ValueError, zlib.error):
            out.append(raw)
    return out


G = ("优秀", "称职", "基本称职", "不称职", "不了解")


def rules_of(
    n: int, *, title: str = "2026年度民主测评", show_unit: bool = True
) -> printing.FormRules:
    cands = [printing.FormCandidate(1, "甲镇班子", "甲镇", "team")] + [
        printing.FormCandidate(k, f"李{k}（副镇长）", "甲镇", "deputy") for k in range(2, n + 1)
    ]
    return printing.FormRules(
        title=title, candidates=cands, grades={"team": G, "deputy": G},
        top_limits={"team": 1, "deputy": max(1, -(-3 * (n - 1) // 10))},
        top_share={"team": Fraction(3, 10), "deputy": Fraction(3, 10)}, show_unit=show_unit,
    )  # fmt: skip


def test_a_short_ballot_prints_one_page_per_sheet_with_its_serial() -> None:
    rules = rules_of(8)
    assert printing.pages_per_form(rules) == 1
    serials = ["S7-0001", "S7-0002", "S7-0003"]
    pdf = printing.ballot_forms_pdf(rules, "镇街干部", serials)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 3
    text = b"".join(contents(pdf))
    for serial in serials:
        assert f"({serial})".encode() in text  # the serial under its QR code, in Courier
    assert b"/FontFile" not in pdf  # no font is embedded: STSong-Light comes with the reader


def test_a_long_ballot_flows_onto_more_pages_with_the_serial_on_each() -> None:
    rules = rules_of(120)
    pages = printing.pages_per_form(rules)
    assert pages >= 4
    pdf = printing.ballot_forms_pdf(rules, "群众代表", ["S7-0041", "S7-0042"])
    assert page_count(pdf) == 2 * pages
    streams = [s for s in contents(pdf) if b" Tf" in s]  # the pages' content streams
    assert len(streams) == 2 * pages
    for k, stream in enumerate(streams):
        assert (b"(S7-0041)" if k < pages else b"(S7-0042)") in stream
    # every candidate is on exactly one page of a sheet, in ballot order
    numbers = [int(m) for s in streams[:pages] for m in re.findall(rb"\((\d+)\) Tj", s)]
    assert numbers == list(range(1, 121))


def test_the_rules_say_the_grades_the_top_limit_and_the_abstention() -> None:
    lines = printing._rule_lines(rules_of(11))
    text = "".join(lines)
    assert "好班副（共10名）" in text and "最多3名" in text and "30％" in text
    assert "“不了解”不计入测评结果" in text and "不选或多选的，视为“不了解”" in text
    # GB2312 only: the reader's STSong-Light has no glyph for these
    assert not set(text) & set("✓☐·•⌈⌉")


def test_text_is_wrapped_to_its_width_and_keeps_closing_marks_off_a_line_start() -> None:
    width = 60.0
    lines = printing.wrap(
        "本表不记名，请勿署名或作其他标记；填好后投入票箱。", printing.FONT, 10, width
    )
    assert len(lines) > 1 and "".join(lines) == "本表不记名，请勿署名或作其他标记；填好后投入票箱。"
    assert not any(line[0] in printing.NO_LINE_START for line in lines)
    size, fitted = printing.fit("二〇二六年度甲镇班子及班子成员民主测评" * 3, printing.FONT, 10, 100,
                                smallest=7, lines=2)  # fmt: skip
    assert size == 7 and len(fitted) == 2 and fitted[-1].endswith("…")
    assert all(printing.width_of(line, printing.FONT, size) <= 100 for line in fitted)


def test_the_code_slips_hold_the_voting_address_with_the_code_in_the_qr(
    monkeypatch: Any, world: Any
) -> None:
    opened = make_session(world, codes=0, open_it=False)
    seen: list[str] = []
    original = printing.draw_qr

    def spy(canvas: Any, data: str, *args: Any) -> None:
        seen.append(data)
        original(canvas, data, *args)

    monkeypatch.setattr(printing, "draw_qr", spy)
    from sanhao.ballots import services

    batch, plain = services.issue_codes(opened.session, opened.group, 12, actor=world.office,
                                        vote_url=f"{VOTE_URL}{opened.session.pk}/")  # fmt: skip
    assert batch.slips is not None
    pdf = bytes(batch.slips)
    assert pdf.startswith(b"%PDF") and page_count(pdf) == 2  # ten slips a page
    assert seen == [f"{VOTE_URL}{opened.session.pk}/#{code}" for code in plain]
    text = b"".join(contents(pdf))
    assert all(f"({code[:5]}-{code[5:]})".encode() in text for code in plain)


def test_the_slip_text_stays_inside_its_slip(monkeypatch: Any) -> None:
    """Every string drawn on a slip ends before the slip's right edge."""
    from types import SimpleNamespace as NS

    from reportlab.pdfgen.canvas import Canvas

    drawn: list[tuple[float, str, str, float]] = []
    original = Canvas.drawString

    def spy(self: Any, x: float, y: float, text: str, *args: Any, **kwargs: Any) -> Any:
        drawn.append((x, text, self._fontname, self._fontsize))
        return original(self, x, y, text, *args, **kwargs)

    monkeypatch.setattr(Canvas, "drawString", spy)
    session = NS(title="二〇二六年度某某镇班子及班子成员“三好”创争民主测评（第二次）", pk=12)
    url = "https://sanhao.some-very-long-district-name.example.gov.cn/vote/12/"
    printing.code_slips_pdf(session, NS(name="区管干部及镇街中层以上干部"), ["ABCDEFGHJK"] * 2,
                            vote_url=url, batch=NS(pk=3))  # fmt: skip
    slip_w = (printing.A4[0] - 2 * printing.MARGIN) / printing.COLUMNS
    for k, (x, text, font, size) in enumerate(drawn):
        column = 0 if k < len(drawn) // 2 else 1
        right = printing.MARGIN + (column + 1) * slip_w
        assert x + printing.width_of(text, font, size) <= right, text


@pytest.mark.parametrize("unit", [True, False])
def test_a_session_s_forms_print_from_its_candidates(world: Any, unit: bool) -> None:
    opened = make_session(world, unit=world.a if unit else None, category="deputy")
    rules = paper.form_rules(opened.session)
    assert rules.show_unit is not unit
    assert [c.number for c in rules.candidates] == list(range(1, len(rules.candidates) + 1))
    run = paper.issue_forms(opened.session, opened.group, 2, actor=world.office)
    pdf = paper.run_pdf(run, actor=world.office)
    assert page_count(pdf) == 2 * printing.pages_per_form(rules)
