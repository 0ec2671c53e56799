"""The leaderboard for the district's leaders and the office, its public big screen, and
the year reports. Thin: access → data (`board`, `reports`) → render or download."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.leaderboard import access, board, reports

_CODE = "__code__"
SCREEN_REFRESH_SECONDS = 60


@login_required
@require_GET
def leaderboard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_board(request.user, pk)
    data = board.load(year)
    base = reverse("leaderboard:unit_report", kwargs={"pk": year.pk, "code": _CODE, "fmt": "xlsx"})
    links = {r.unit.pk: base.replace(_CODE, r.unit.code) for r in data.rows}
    rows = [
        {"row": r, "report_xlsx": links[r.unit.pk], "report_docx": links[r.unit.pk][:-4] + "docx",
         "radar": board.radar_texts(data, r)}
        for r in data.rows
    ]  # fmt: skip
    charts = board.charts(data)
    charts["radar"]["selected"] = [r.unit.name for r in data.ranked_rows[:3]]
    return render(
        request,
        "leaderboard/board.html",
        {"year": year, "board": data, "rows": rows, "charts": charts,
         "office": is_office(request.user)},
    )  # fmt: skip


def _screen_context(pk: int) -> dict[str, Any]:
    year = access.get_year_for_screen(pk)
    data = board.load(year)
    return {"year": year, "board": data, "charts": board.charts(data, radar=False),
            "refresh": SCREEN_REFRESH_SECONDS}  # fmt: skip


@require_GET
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The public big screen: no login, nothing personal but awardees' names and posts.
    htmx asks for the live part every minute (a meta refresh without JavaScript)."""
    context = _screen_context(pk)
    template = (
        "leaderboard/_screen.html"
        if request.headers.get("HX-Request")
        else "leaderboard/screen.html"
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_GET
def unit_report(request: AuthenticatedRequest, pk: int, code: str, fmt: str) -> HttpResponse:
    fmt = access.require_format(fmt)
    year, unit = access.get_unit_for_report(request.user, pk, code)
    data = reports.unit_report(year, unit, full=access.can_read_board(request.user))
    return reports.response(data, fmt)


@login_required
@require_GET
def district_report(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    fmt = access.require_format(fmt)
    year = access.get_year_for_board(request.user, pk)
    return reports.response(reports.district_report(year), fmt)
