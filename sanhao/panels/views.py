"""Pages of the panels: the office's sessions, a session's setup and live progress, its
results after the close; a judge's sessions, their sheet (autosaved with htmx, or saved
by a plain form post without JavaScript), its review and submission, a correction.
Thin: access → form → service → render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.models import AccountRole, User
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit
from sanhao.panels import access, pages, services
from sanhao.panels.forms import SessionForm, initial_seats
from sanhao.panels.models import PanelSession, State
from sanhao.panels.selectors import candidates_of, judges_of, rules_for, year_scheme


def _judge_accounts() -> list[User]:
    return list(User.objects.filter(role=AccountRole.JUDGE, is_active=True).order_by("username"))


# The office ----------------------------------------------------------------------------


@login_required
@require_GET
def year_sessions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_office(request.user, pk)
    return render(request, "panels/year.html", {"year": year, "rows": pages.year_rows(year)})


@login_required
@require_http_methods(["GET", "POST"])
def create_session(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_office(request.user, pk)
    units = Unit.objects.filter(district_id=year.district_id).order_by("order", "code")
    initial = pages.new_session_initial(year, request.GET.get("category", "team"))
    form = SessionForm(request.POST or None, initial=initial, units=units,
                       judges=_judge_accounts(), new=True)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.create_session(
                year, category=data["category"], title=data["title"], opens=data["opens"],
                closes=data["closes"], mode=data["mode"], judges=form.seats(),
                units=list(data["units"]), actor=request.user,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Panel session created. Check the reporting order, then open the scoring."),
            )
            return redirect("panels:session", session_pk=session.pk)
    return render(request, "panels/session_form.html", {"year": year, "form": form, "new": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit_session(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    year = session.year
    if session.state == State.CLOSED:
        messages.error(request, _("A closed session cannot change."))
        return redirect("panels:session", session_pk=session.pk)
    units = Unit.objects.filter(district_id=year.district_id).order_by("order", "code")
    locked = session.state == State.OPEN
    seats = judges_of([session.pk])
    chosen = sorted({c.unit_id for c in candidates_of(session)})
    initial = {"title": session.title, "opens": timezone.localtime(session.opens),
               "closes": timezone.localtime(session.closes), "units": chosen,
               **initial_seats(seats)}  # fmt: skip
    form = SessionForm(request.POST or None, initial=initial, units=units,
                       judges=_judge_accounts(), new=False, locked=locked)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_session(
                session, title=data["title"], opens=data["opens"], closes=data["closes"],
                judges=None if locked else form.seats(),
                units=None if locked else list(data["units"]), actor=request.user,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Panel session saved."))
            return redirect("panels:session", session_pk=session.pk)
    return render(request, "panels/session_form.html",
                  {"year": year, "form": form, "new": False, "session": session})  # fmt: skip


@login_required
@require_GET
def session_detail(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    return render(request, "panels/session.html", pages.office_session(session))


@login_required
@require_GET
def progress(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    """The live progress table alone, for the page's htmx poll: who submitted, how many
    cells each judge filled; never a score."""
    session = access.get_session_for_office(request.user, session_pk)
    try:
        polls = max(0, int(request.GET.get("polls", "0")))
    except ValueError:
        polls = 0
    context = pages.office_session(session, progress_only=True, polls=polls)
    return render(request, "panels/_progress.html", context)


@login_required
@require_POST
def reorder(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    candidates = candidates_of(session)
    typed = []
    for candidate in candidates:
        try:
            place = float(request.POST.get(f"order_{candidate.pk}", candidate.order))
        except ValueError:
            place = float(candidate.order)
        typed.append((place, candidate.order, candidate.candidate))
    try:
        services.reorder_candidates(session, [c for _p, _o, c in sorted(typed)], actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reporting order saved."))
    return redirect("panels:session", session_pk=session.pk)


@login_required
@require_POST
def open_session(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    try:
        services.open_session(session, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Scoring is open: the judges can enter their scores."))
    return redirect("panels:session", session_pk=session.pk)


@login_required
@require_POST
def set_reporting(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    try:
        services.set_reporting(session, request.POST.get("candidate", ""), actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("panels:session", session_pk=session.pk)


@login_required
@require_POST
def decide(request: AuthenticatedRequest, session_pk: int, version_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    version = access.get_version_for_office(request.user, session, version_pk)
    accepted = request.POST.get("decision") == "accept"
    try:
        services.decide_correction(version, accepted=accepted, note=request.POST.get("note", ""),
                                   actor=request.user)  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Correction accepted: it counts now.") if accepted
                         else _("Correction rejected: the sheet it corrects keeps counting."))  # fmt: skip
    return redirect("panels:session", session_pk=session.pk)


@login_required
@require_POST
def close_session(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    try:
        services.close_session(session, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("panels:session", session_pk=session.pk)
    messages.success(
        request,
        _("Session closed. Its sheets count in the year's ranking from the next computation."),
    )
    return redirect("panels:results", session_pk=session.pk)


@login_required
@require_GET
def results(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, session_pk)
    if session.state != State.CLOSED:
        messages.info(request, _("The scores are shown when the session is closed."))
        return redirect("panels:session", session_pk=session.pk)
    return render(request, "panels/results.html", pages.session_results(session))


# The judge -----------------------------------------------------------------------------


@login_required
@require_GET
def my_sessions(request: AuthenticatedRequest) -> HttpResponse:
    access.require_judge(request.user)
    return render(request, "panels/mine.html", {"rows": pages.judge_rows(request.user)})


def _typed_cells(request: AuthenticatedRequest, session: PanelSession, rules: Any,
                 candidates: list[Any]) -> dict[str, list[str]]:  # fmt: skip
    """The sheet's rows as posted (inputs `c-<candidate pk>-<dimension>`); a candidate
    none of whose inputs came is left as it was."""
    names = {c.candidate: [f"c-{c.pk}-{d}" for d in range(rules.width)] for c in candidates
             if c.candidate not in rules.abstains}  # fmt: skip
    return {candidate: [request.POST.get(n, "")[:40] for n in inputs]
            for candidate, inputs in names.items() if any(n in request.POST for n in inputs)}  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    seat = access.get_seat_for_judge(request.user, session_pk)
    session = seat.session
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "POST":
        candidates = candidates_of(session)
        rules = rules_for(session, candidates, seat, year_scheme(session))
        typed = _typed_cells(request, session, rules, candidates)
        try:
            draft = services.save_draft(session, typed, actor=request.user)
        except DomainError as error:
            if htmx:
                return render(request, "panels/_saved.html", {"error": error.message})
            messages.error(request, _("Not saved: %(problem)s") % {"problem": error.message})
            context = pages.judge_sheet(seat, typed=typed)
            return render(request, "panels/sheet.html", context)
        if htmx:
            return render(request, "panels/_saved.html", pages.saved(rules, candidates, draft))
        if request.POST.get("go") == "review":
            return redirect("panels:review", session_pk=session.pk)
        messages.success(request, _("Draft saved."))
        return redirect("panels:sheet", session_pk=session.pk)
    return render(request, "panels/sheet.html", pages.judge_sheet(seat))


@login_required
@require_GET
def review(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    seat = access.get_seat_for_judge(request.user, session_pk)
    context = pages.judge_review(seat)
    if context is None:
        return redirect("panels:sheet", session_pk=seat.session_id)
    return render(request, "panels/review.html", context)


@login_required
@require_POST
def submit(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    seat = access.get_seat_for_judge(request.user, session_pk)
    try:
        version = services.submit_sheet(seat.session, reason=request.POST.get("reason", ""),
                                        actor=request.user)  # fmt: skip
    except DomainError as error:
        messages.error(request, _("Not submitted: %(problem)s") % {"problem": error.message})
        return redirect("panels:review", session_pk=seat.session_id)
    if version.is_correction:
        messages.success(
            request, _("Correction submitted: it counts once the campaign office accepts it.")
        )
    else:
        messages.success(request, _("Sheet submitted. Thank you."))
    return redirect("panels:sheet", session_pk=seat.session_id)


@login_required
@require_POST
def correct(request: AuthenticatedRequest, session_pk: int) -> HttpResponse:
    seat = access.get_seat_for_judge(request.user, session_pk)
    try:
        services.start_correction(seat.session, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.info(
            request,
            _(
                "Change the scores to correct, then review and submit the correction with its reason."
            ),
        )
    return redirect("panels:sheet", session_pk=seat.session_id)
