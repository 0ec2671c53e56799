"""Printed matter of a ballot session, as A4 PDFs: the voters' code slips.

The slips are cut along the dashed lines and handed out, one per voter. Each holds the
session's title, the voter group, the code in large type, and a QR code of the voting
page's address with the code in its fragment (`…/vote/12/#K7M2PQX4RT`): browsers never
send a fragment to the server, so no access log holds a code. The Chinese text uses
reportlab's built-in CID font STSong-Light, which PDF readers supply: nothing is embedded
and no font file is needed on the server.
"""

from __future__ import annotations

import io
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

COLUMNS, ROWS = 2, 5  # ten slips per A4 page
MARGIN = 10 * mm


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code as vector squares (crisp at any printer resolution), lower-left at x, y:
    one filled path of each row's runs of dark modules."""
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
    for k, code in enumerate(plain):
        if k and k % per_page == 0:
            canvas.showPage()
        place = k % per_page
        col, row = place % COLUMNS, place // COLUMNS
        x = MARGIN + col * slip_w
        y = height - MARGIN - (row + 1) * slip_h
        canvas.setDash(3, 3)
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.rect(x, y, slip_w, slip_h, stroke=1, fill=0)
        canvas.setDash()
        qr_size = slip_h - 8 * mm
        draw_qr(canvas, f"{vote_url}#{code}", x + 3 * mm, y + 4 * mm, qr_size)
        tx = x + qr_size + 6 * mm
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(FONT, 10)
        canvas.drawString(tx, y + slip_h - 9 * mm, session.title[:18])
        canvas.setFont(FONT, 9)
        canvas.drawString(tx, y + slip_h - 15 * mm, f"投票人类别：{group.name}")
        canvas.setFont("Courier-Bold", 15)
        canvas.drawString(tx, y + slip_h - 25 * mm, codes_mod.shown(code))
        canvas.setFont(FONT, 8)
        canvas.drawString(tx, y + 16 * mm, "手机扫码投票，或打开")
        canvas.drawString(tx, y + 12 * mm, vote_url.split("://")[-1][:40])
        canvas.drawString(tx, y + 8 * mm, "输入投票码。每码只能投一次。")
        canvas.drawString(tx, y + 4 * mm, f"第{batch.pk}批 · {k + 1}/{len(plain)}")
    canvas.showPage()
    canvas.save()
    return out.getvalue()
