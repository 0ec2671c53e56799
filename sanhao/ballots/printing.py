"""Printed matter of a ballot session, as A4 PDFs: the voters' code slips and the paper
ballot forms.

The slips are cut along the dashed lines and handed out, one per voter. Each holds the
session's title, the voter group, the code in large type, and a QR code of the voting
page's address with the code in its fragment (`…/vote/12/#K7M2PQX4RT`): browsers never
send a fragment to the server, so no access log holds a code.

A ballot form (测评表) is one sheet per voter: the session's title, the voter group, the
rules of each category on the ballot (its grades, the most candidates that may take the
top grade, 不了解 not counted), the candidates in ballot order with one box per grade, and
the sheet's serial (`S12-0042`) with a small QR code of it, which a hand scanner types into
the entry page. A long list flows onto further pages; the serial is on every page.

The Chinese text uses reportlab's built-in CID font STSong-Light, which PDF readers supply:
nothing is embedded and no font file is needed on the server. Its character set is GB2312's:
the text keeps to it (√ and □, not ✓ and ☐; no middle dot).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from sanhao.ballots import codes as codes_mod

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
LATIN = "Helvetica"
MONO = "Courier-Bold"

COLUMNS, ROWS = 2, 5  # ten slips per A4 page
MARGIN = 10 * mm

# The printed names of the categories: the forms are official Chinese documents, whatever
# the language of the page that asked for them.
CATEGORY_NAMES = {"team": "好班子", "leader": "好班长", "deputy": "好班副"}


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code as vector squares (crisp at any printer resolution), lower-left at x, y,
    its quiet zone of four modules included in `size`: one filled path of each row's runs
    of dark modules."""
    # A fixed mask: choosing the best of eight took most of the time, and any mask scans.
    qr = segno.make(data, error="m", micro=False, mask=2)
    matrix = [list(row) for row in qr.matrix]
    n = len(matrix) + 8  # a quiet zone of four modules each side
    module = size / n
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            path.rect(x + (start + 4) * module, y + size - (r + 5) * module,
                      (c - start) * module, module)  # fmt: skip
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


NO_LINE_START = set("，。、；：！？）》」”’…％,.;:!?)%")


def width_of(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width`, broken between any two characters (Chinese
    has no spaces to break at), except before a closing mark, which hangs at the line's
    end instead of starting the next one."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and ch not in NO_LINE_START and width_of(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    if line or not lines:
        lines.append(line)
    return lines


def fit(
    text: str, font: str, size: float, width: float, *, smallest: float = 6, lines: int = 1
) -> tuple[float, list[str]]:
    """The largest size ≤ `size` (down to `smallest`) at which `text` fits in `lines`
    lines of `width`; at the smallest size, what does not fit ends with an ellipsis."""
    while size > smallest and len(wrap(text, font, size, width)) > lines:
        size -= 0.5
    out = wrap(text, font, size, width)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        while last and width_of(last + "…", font, size) > width:
            last = last[:-1]
        out[-1] = last + "…"
    return size, out


# Code slips ------------------------------------------------------------------------------


def code_slips_pdf(
    session: Any, group: Any, plain: list[str], *, vote_url: str, batch: Any
) -> bytes:
    """The slips of one batch of codes. `vote_url` is the session's voting page."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    canvas.setTitle(f"{session.title} 投票码 第{batch.pk}批")
    width, height = A4
    slip_w = (width - 2 * MARGIN) / COLUMNS
    slip_h = (height - 2 * MARGIN) / ROWS
    per_page = COLUMNS * ROWS
    pad = 4 * mm
    qr_size = 38 * mm  # 1 mm modules for a 30-module code: any phone reads it
    text_w = slip_w - qr_size - 3 * pad
    address = vote_url.split("://")[-1]
    for k, code in enumerate(plain):
        if k and k % per_page == 0:
            canvas.showPage()
        place = k % per_page
        col, row = place % COLUMNS, place // COLUMNS
        x = MARGIN + col * slip_w
        y = height - MARGIN - (row + 1) * slip_h
        canvas.setDash(3, 3)
        canvas.setLineWidth(0.5)
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.rect(x, y, slip_w, slip_h, stroke=1, fill=0)
        canvas.setDash()
        draw_qr(canvas, f"{vote_url}#{code}", x + pad - 2 * mm, y + (slip_h - qr_size) / 2, qr_size)
        tx = x + qr_size + 2 * pad - 2 * mm
        top = y + slip_h - pad
        canvas.setFillColorRGB(0, 0, 0)
        size, lines = fit(session.title, FONT, 10, text_w, smallest=7, lines=2)
        for n, line in enumerate(lines):
            canvas.setFont(FONT, size)
            canvas.drawString(tx, top - size - n * (size + 2), line)
        below = top - 2 * (size + 2) - 4
        size, lines = fit(f"投票人类别：{group.name}", FONT, 9, text_w, smallest=6.5)
        canvas.setFont(FONT, size)
        canvas.drawString(tx, below - size, lines[0])
        shown = codes_mod.shown(code)
        code_size = min(16.0, text_w / width_of(shown, MONO, 1))
        canvas.setFont(MONO, code_size)
        canvas.drawString(tx, below - size - 6 - code_size, shown)
        # The instructions, from the slip's foot up: the batch, then how to vote.
        canvas.setFont(FONT, 7)
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        canvas.drawString(tx, y + pad, f"第{batch.pk}批  {k + 1}/{len(plain)}")
        canvas.setFillColorRGB(0, 0, 0)
        line_y = y + pad + 11
        canvas.setFont(FONT, 8)
        canvas.drawString(tx, line_y, "输入投票码。每码只能投一次。")
        url_size, url_lines = fit(address, LATIN, 8, text_w, smallest=6, lines=2)
        canvas.setFont(LATIN, url_size)
        for line in reversed(url_lines):
            line_y += url_size + 2
            canvas.drawString(tx, line_y, line)
        canvas.setFont(FONT, 8)
        canvas.drawString(tx, line_y + 10, "手机扫码投票，或用浏览器打开")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


# Ballot forms ----------------------------------------------------------------------------

PAGE_MARGIN = 14 * mm
ROW_H = 8 * mm
HEAD_H = 9 * mm  # a category's header row
FOOT_H = 10 * mm
BOX = 4.2 * mm


@dataclass(frozen=True)
class FormCandidate:
    number: int  # 1, 2, … in ballot order, as on the entry page
    name: str
    unit: str
    category: str


@dataclass(frozen=True)
class FormRules:
    """What a form prints, taken from the session's ballot (`paper.form_rules`)."""

    title: str
    candidates: Sequence[FormCandidate]
    grades: dict[str, tuple[str, ...]]  # category → grades, best first, then the abstention
    top_limits: dict[str, int]
    top_share: dict[str, Fraction]
    show_unit: bool  # a session of one unit's candidates leaves the unit column out


def _percent(share: Fraction) -> str:
    value = share * 100
    return (
        f"{value.numerator // value.denominator}％"
        if value.denominator == 1
        else f"{float(value):g}％"
    )


def _rule_lines(rules: FormRules) -> list[str]:
    counts: dict[str, int] = {}
    for c in rules.candidates:
        counts[c.category] = counts.get(c.category, 0) + 1
    lines = ["请在每名测评对象所在行选定一个等次，在其方框内打“√”；不选或多选的，视为“不了解”。"]
    for category, n in counts.items():
        grades = rules.grades[category]
        top = grades[0]
        name = CATEGORY_NAMES.get(category, category)
        lines.append(
            f"{name}（共{n}名）：等次为{'、'.join(grades[:-1])}；评为“{top}”的最多"
            f"{rules.top_limits[category]}名（不超过{_percent(rules.top_share[category])}，"
            f"小数进一），超过的，本表{name}部分无效。"
        )
    abstain = {g[-1] for g in rules.grades.values()}
    lines.append(f"“{'、'.join(sorted(abstain))}”不计入测评结果。")
    lines.append("本表不记名，请勿署名或作其他标记；填好后投入票箱。")
    return lines


@dataclass
class _Layout:
    pages: list[list[tuple[str, Any]]]  # per page: ("head", category) and ("row", candidate)
    rule_lines: list[list[str]]  # the rules, wrapped, for the first page
    rules_h: float


def _layout(rules: FormRules, width: float, height: float) -> _Layout:
    inner = width - 2 * PAGE_MARGIN
    rule_lines = [wrap(line, FONT, 9, inner - 14 * mm) for line in _rule_lines(rules)]
    rules_h = (sum(len(w) for w in rule_lines) * 12.5 + 22) + 4 * mm
    first_top = height - PAGE_MARGIN - 30 * mm - rules_h
    later_top = height - PAGE_MARGIN - 22 * mm
    bottom = PAGE_MARGIN + FOOT_H
    pages: list[list[tuple[str, Any]]] = [[]]
    room = first_top - bottom
    current = None
    for c in rules.candidates:
        need = ROW_H + (HEAD_H if c.category != current else 0)
        if need > room:
            pages.append([])
            room = later_top - bottom
            current = None  # a new page repeats its category's header
            need = ROW_H + HEAD_H
        if c.category != current:
            pages[-1].append(("head", c.category))
            current = c.category
        pages[-1].append(("row", c))
        room -= need
    return _Layout(pages, rule_lines, rules_h)


def _columns(rules: FormRules, category: str, inner: float) -> tuple[list[float], float]:
    """The x offsets of the columns: number, name, unit (maybe), then one per grade."""
    n = len(rules.grades[category])
    number_w = 11 * mm
    unit_w = 34 * mm if rules.show_unit else 0
    grade_w = min(16 * mm, (inner - number_w - unit_w - 40 * mm) / n)
    name_w = inner - number_w - unit_w - n * grade_w
    xs = [0, number_w, number_w + name_w]
    if rules.show_unit:
        xs.append(xs[-1] + unit_w)
    for _ in range(n):
        xs.append(xs[-1] + grade_w)
    return xs, grade_w


def _serial_block(canvas: Canvas, serial: str, right: float, top: float) -> None:
    size = 17 * mm
    draw_qr(canvas, serial, right - size, top - size, size)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(FONT, 8)
    canvas.drawRightString(right - size - 1 * mm, top - 6 * mm, "编号")
    canvas.setFont(MONO, 11)
    canvas.drawRightString(right - size - 1 * mm, top - 11 * mm, serial)


def _cell_text(canvas: Canvas, text: str, size: float, x: float, width: float, top: float) -> None:
    """A cell's text in the row below `top`: one line, or two smaller ones when one would
    be too small to read."""
    if len(wrap(text, FONT, 8.5, width)) == 1:
        size, lines = fit(text, FONT, size, width, smallest=8.5)
    else:
        size, lines = fit(text, FONT, 9, width, smallest=6, lines=2)
    canvas.setFont(FONT, size)
    if len(lines) == 1:
        canvas.drawString(x, top - ROW_H / 2 - size * 0.35, lines[0])
        return
    for n, line in enumerate(lines):
        canvas.drawString(x, top - ROW_H / 2 + 1 - size * 0.35 + (0.5 - n) * (size + 1), line)


def _draw_table(
    canvas: Canvas, rules: FormRules, items: list[tuple[str, Any]], x0: float, top: float
) -> float:
    inner = A4[0] - 2 * PAGE_MARGIN
    y = top
    xs: list[float] = []
    grade_w = 0.0
    canvas.setLineWidth(0.6)
    canvas.setStrokeColorRGB(0, 0, 0)
    for kind, item in items:
        if kind == "head":
            xs, grade_w = _columns(rules, item, inner)
            canvas.setFillColorRGB(0.9, 0.9, 0.9)
            canvas.rect(x0, y - HEAD_H, inner, HEAD_H, stroke=1, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            mid = y - HEAD_H / 2 - 3
            canvas.setFont(FONT, 9)
            canvas.drawCentredString(x0 + xs[1] / 2, mid, "序号")
            name = CATEGORY_NAMES.get(item, item)
            canvas.drawString(x0 + xs[1] + 2 * mm, mid, f"{name}  测评对象")
            col = 2
            if rules.show_unit:
                canvas.drawString(x0 + xs[2] + 2 * mm, mid, "所在镇街")
                col = 3
            for k, grade in enumerate(rules.grades[item]):
                left = x0 + xs[col + k]
                size, lines = fit(grade, FONT, 9, grade_w - 2 * mm, smallest=6)
                canvas.setFont(FONT, size)
                canvas.drawCentredString(left + grade_w / 2, mid, lines[0])
            for edge in xs[1:]:
                canvas.line(x0 + edge, y, x0 + edge, y - HEAD_H)
            y -= HEAD_H
            continue
        c: FormCandidate = item
        canvas.rect(x0, y - ROW_H, inner, ROW_H, stroke=1, fill=0)
        for edge in xs[1:]:
            canvas.line(x0 + edge, y, x0 + edge, y - ROW_H)
        mid = y - ROW_H / 2 - 3.5
        canvas.setFont(LATIN, 9)
        canvas.drawCentredString(x0 + xs[1] / 2, mid, str(c.number))
        _cell_text(canvas, c.name, 10.5, x0 + xs[1] + 2 * mm, xs[2] - xs[1] - 4 * mm, y)
        col = 2
        if rules.show_unit:
            _cell_text(canvas, c.unit, 9, x0 + xs[2] + 2 * mm, xs[3] - xs[2] - 4 * mm, y)
            col = 3
        for k in range(len(rules.grades[c.category])):
            left = x0 + xs[col + k]
            canvas.rect(left + (grade_w - BOX) / 2, y - (ROW_H + BOX) / 2, BOX, BOX, stroke=1)
        y -= ROW_H
    return y


def ballot_forms_pdf(rules: FormRules, group_name: str, serials: Sequence[str]) -> bytes:
    """The forms of one run: a sheet per serial, each of the layout's pages."""
    width, height = A4
    layout = _layout(rules, width, height)
    n_pages = len(layout.pages)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    canvas.setTitle(f"{rules.title} 民主测评表 {serials[0]}～{serials[-1]}" if serials else "")
    left, right = PAGE_MARGIN, width - PAGE_MARGIN
    inner = right - left
    for serial in serials:
        for p, items in enumerate(layout.pages):
            top = height - PAGE_MARGIN
            _serial_block(canvas, serial, right, top)
            canvas.setFillColorRGB(0, 0, 0)
            if p == 0:
                size, lines = fit(rules.title, FONT, 16, inner - 46 * mm, smallest=11, lines=2)
                canvas.setFont(FONT, size)
                for n, line in enumerate(lines):
                    canvas.drawString(left, top - size - n * (size + 3), line)
                canvas.setFont(FONT, 13)
                canvas.drawString(left, top - 2 * (size + 3) - 10, "民主测评表")
                canvas.setFont(FONT, 10.5)
                canvas.drawString(left, top - 27 * mm, f"投票人类别：{group_name}")
                box_top = top - 30 * mm
                canvas.setLineWidth(0.5)
                canvas.rect(left, box_top - layout.rules_h + 4 * mm, inner,
                            layout.rules_h - 4 * mm)  # fmt: skip
                canvas.setFont(FONT, 9.5)
                canvas.drawString(left + 2 * mm, box_top - 13, "填表说明")
                y = box_top - 27
                canvas.setFont(FONT, 9)
                for k, wrapped in enumerate(layout.rule_lines):
                    canvas.drawString(left + 3 * mm, y, f"{k + 1}.")
                    for line in wrapped:
                        canvas.drawString(left + 8 * mm, y, line)
                        y -= 12.5
                table_top = box_top - layout.rules_h
            else:
                size, lines = fit(f"{rules.title}（续）", FONT, 12, inner - 46 * mm, smallest=8)
                canvas.setFont(FONT, size)
                canvas.drawString(left, top - size - 2, lines[0])
                canvas.setFont(FONT, 10)
                canvas.drawString(left, top - 14 * mm, f"投票人类别：{group_name}")
                table_top = top - 22 * mm
            _draw_table(canvas, rules, items, left, table_top)
            canvas.setFont(FONT, 8.5)
            canvas.setFillColorRGB(0.25, 0.25, 0.25)
            canvas.drawCentredString(
                width / 2, PAGE_MARGIN, f"编号 {serial}    第{p + 1}页／共{n_pages}页"
            )
            canvas.showPage()
    canvas.save()
    return out.getvalue()


def pages_per_form(rules: FormRules) -> int:
    return len(_layout(rules, *A4).pages)
