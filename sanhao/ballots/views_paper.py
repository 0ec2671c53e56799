"""Pages of the paper ballots (sanhao/ballots/paper.py): printing the forms, keying the
returned sheets, and the reconciliation of the two keyings.

The office prints and keys; the viewer may read the reconciliation list; liaisons and
judges are refused (403), as on every page of the ballots.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.ballots import access, paper
from sanhao.ballots.forms import PaperForm
from sanhao.ballots.models import BallotSession, PaperRound, PaperRun, SessionState
from sanhao.lib.errors import DomainError
from sanhao.lib.forms import form_errors


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _filename(run: PaperRun) -> str:
    return f"forms-S{run.session_id}-{run.first:04d}-{run.last:04d}.pdf"


def _back(session: BallotSession) -> HttpResponse:
    return redirect("ballots:detail", pk=session.year_id, session_pk=session.pk)


@login_required
@require_POST
def print_forms(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    """Hand out N forms of a group: a new run of serials, downloaded as a PDF."""
    session = access.get_session_for_office(request.user, pk, session_pk)
    groups = {g.pk: g for g in session.groups.all()}
    form = PaperForm(request.POST, groups=[(k, g.name) for k, g in groups.items()])
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(session)
    try:
        run = paper.issue_forms(
            session,
            groups[int(form.cleaned_data["group"])],
            form.cleaned_data["count"],
            actor=request.user,
        )
    except DomainError as error:
        messages.error(request, str(error))
        return _back(session)
    return _pdf(paper.run_pdf(run, actor=request.user), _filename(run))


@login_required
@require_POST
def reprint_forms(
    request: AuthenticatedRequest, pk: int, session_pk: int, run_pk: int
) -> HttpResponse:
    """The same run again, with the same serials (audited; no form is added)."""
    session = access.get_session_for_office(request.user, pk, session_pk)
    run = access.get_paper_run(session, run_pk)
    try:
        data = paper.run_pdf(run, actor=request.user, reprint=True)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(session)
    return _pdf(data, _filename(run))


def _round(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return PaperRound.FIRST
    return number if number in PaperRound.values else PaperRound.FIRST


def _entry_page(
    request: AuthenticatedRequest,
    session: BallotSession,
    *,
    round: int,
    serial: str = "",
    given: dict[str, str] | None = None,
    spoiled: bool = False,
    reason: str = "",
) -> HttpResponse:
    form = paper.ballot_form(session)
    given = given or {}
    sections: list[dict[str, Any]] = []
    for number, c in enumerate(form.candidates, start=1):
        if not sections or sections[-1]["category"] != c.category:
            grades = form.grades[c.category]
            sections.append(
                {
                    "category": c.category,
                    "name": paper.printing.CATEGORY_NAMES.get(c.category, c.category),
                    "grades": grades,
                    "rows": [],
                }
            )
        sections[-1]["rows"].append({"number": number, "c": c, "given": given.get(c.candidate, "")})
    width = max((len(s["grades"]) for s in sections), default=0)
    for s in sections:
        s["pad"] = range(width - len(s["grades"]))
    return render(
        request,
        "ballots/paper_entry.html",
        {
            "year": session.year,
            "session": session,
            "sections": sections,
            "width": width,
            "rounds": PaperRound.choices,
            "round": round,
            "serial": serial,
            "spoiled": spoiled,
            "reason": reason,
            "can_key": session.state != SessionState.DRAFT,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_entry(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    """Key one returned sheet: its serial, then a grade per candidate (or spoiled)."""
    session = access.get_session_for_office(request.user, pk, session_pk)
    year = session.year
    if request.method == "GET":
        return _entry_page(
            request,
            session,
            round=_round(request.GET.get("round")),
            serial=request.GET.get("serial", "")[:40],
        )
    round = _round(request.POST.get("round"))
    serial = request.POST.get("serial", "")[:40]
    spoiled = bool(request.POST.get("spoiled"))
    reason = request.POST.get("reason", "")[: paper.REASON_LENGTH]
    given = {k[2:]: str(v) for k, v in request.POST.items() if k.startswith("g-")}
    try:
        keyed = paper.key_entry(
            session,
            serial=serial,
            round=round,
            grades=given,
            spoiled=spoiled,
            clerk=request.user,
            reason=reason,
        )
    except DomainError as error:
        messages.error(request, str(error))
        return _entry_page(
            request,
            session,
            round=round,
            serial=serial,
            given=given,
            spoiled=spoiled,
            reason=reason,
        )
    values = {"serial": keyed.serial, "group": keyed.group_name}
    if keyed.state == "counted":
        messages.success(
            request, _("Serial %(serial)s (%(group)s) is settled and counted.") % values
        )
    elif keyed.state == "disagree":
        messages.warning(
            request,
            _(
                "Serial %(serial)s (%(group)s): the two keyings disagree on %(list)s. Check "
                "the sheet on the reconciliation page."
            )
            % (values | {"list": "、".join(keyed.differences)}),
        )
    else:
        messages.success(
            request,
            _("Serial %(serial)s (%(group)s) is keyed; it waits for its other keying.") % values,
        )
    if keyed.over_limit:
        messages.info(
            request,
            _(
                "Serial %(serial)s gives the top grade too often for %(list)s: kept as cast, "
                "that part of the sheet is void."
            )
            % {"serial": keyed.serial, "list": "、".join(keyed.over_limit)},
        )
    url = reverse("ballots:paper_entry", kwargs={"pk": year.pk, "session_pk": session.pk})
    return redirect(f"{url}?round={round}")


@login_required
@require_GET
def reconcile(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    """The serials whose two keyings disagree, and those keyed once."""
    session = access.get_session_for_reader(request.user, pk, session_pk)
    year = session.year
    return render(
        request,
        "ballots/paper_reconcile.html",
        {
            "year": year,
            "session": session,
            "office": is_office(request.user),
            "report": paper.reconciliation(session),
        },
    )
