"""Pages of the democratic ballot.

The office's: the year's sessions, a new session, a session (its candidates, groups,
code batches, turnout, and once sealed its count), issuing codes, downloading a batch's
slips once, opening and closing, and the turnout screen for the meeting room's projector.

The voters': no account. `/vote/` (or the session's `/vote/<n>/`, which the QR codes open,
with the code in the address's fragment) takes a code and shows its ballot; the ballot is
submitted with a plain form post, so that it works without JavaScript and in WeChat's
browser; the receipt page confirms later that a ballot was counted. These pages keep no
code in a URL, set no cookie, are never cached, and hide their post data from error
reports (`sensitive_post_parameters`). They are exempt from the CSRF cookie check: they
act for no signed-in account, and the signed ticket of `guard` ties a post to a page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.ballots import access, guard, services
from sanhao.ballots.codes import shown
from sanhao.ballots.forms import CATEGORY_NAMES, IssueForm, SessionForm
from sanhao.ballots.models import Ballot, BallotSession
from sanhao.lib.errors import DomainError
from sanhao.lib.forms import form_errors
from sanhao.orgs.models import Unit
from sanhao.scoring.codes import CATEGORIES


def _groups(year: Any) -> list[tuple[str, str]]:
    scheme = services.scheme_of(year)
    names = scheme.categories[CATEGORIES[0]].ballot.group_names
    return list(zip(scheme.groups, names, strict=True))


# The office's pages --------------------------------------------------------------------


@login_required
@require_GET
def session_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_reader(request.user, pk)
    sessions = list(BallotSession.objects.filter(year=year).select_related("unit"))
    return render(
        request,
        "ballots/list.html",
        {
            "year": year,
            "sessions": sessions,
            "office": is_office(request.user),
            "categories": CATEGORY_NAMES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_office(request.user, pk)
    units = Unit.objects.filter(district_id=year.district_id).order_by("order", "code")
    groups = _groups(year)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = SessionForm(
        request.POST or None,
        units=units,
        groups=groups,
        initial={"opens_at": now, "closes_at": now + dt.timedelta(hours=3)},
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            plans = [services.GroupPlan(g, data.get(key) or 0) for g, key in form.group_fields]
            try:
                session = services.create_session(
                    year,
                    title=data["title"],
                    unit=data["unit"] if data["scope"] == "unit" else None,
                    category=data["category"] if data["scope"] == "category" else "",
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    groups=plans,
                    actor=request.user,
                )
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("The session is prepared. Issue the voters' codes next.")
                )
                return redirect("ballots:detail", pk=year.pk, session_pk=session.pk)
        else:
            messages.error(request, form_errors(form))
    return render(request, "ballots/create.html", {"year": year, "form": form})


def _vote_url(request: HttpRequest, session: BallotSession) -> str:
    return request.build_absolute_uri(reverse("ballots:vote_session", args=[session.pk]))


def _tally(session: BallotSession) -> dict[str, Any]:
    """The sealed session's count: per candidate the grades given by each group, how many
    ballots broke the top-grade rule (void for that category), and the quorum."""
    form_candidates, rules = services._rules(session)
    by_cat: dict[str, list[Any]] = defaultdict(list)
    for c in form_candidates:
        by_cat[c.category].append(c)
    counts: dict[str, dict[str, int]] = {c.candidate: defaultdict(int) for c in form_candidates}
    void = 0
    ballots = Ballot.objects.filter(session=session).values_list("grades", flat=True)
    n_ballots = 0
    for grades in ballots.iterator(chunk_size=2000):
        n_ballots += 1
        broke = False
        for category, cands in by_cat.items():
            top = rules["top"][category]
            if sum(1 for c in cands if grades.get(c.candidate) == top) > rules["limits"][category]:
                broke = True
                continue
            for c in cands:
                counts[c.candidate][grades.get(c.candidate, "")] += 1
        void += broke
    groups = list(session.groups.all())
    invited = sum(g.invited for g in groups)
    issued = sum(g.issued + g.paper_issued for g in groups)
    rows = []
    for c in form_candidates:
        grades = rules["grades"][c.category]
        rows.append(
            {
                "candidate": c,
                "cells": [counts[c.candidate].get(g, 0) for g in grades],
                "grades": grades,
            }
        )
    quorum_met = n_ballots * 2 >= invited
    return {
        "rows": rows,
        "void": void,
        "ballots": n_ballots,
        "invited": invited,
        "issued": issued,
        "quorum_met": quorum_met,
        "too_many": n_ballots > issued,
        "by_cat": {cat: rules["grades"][cat] for cat in by_cat},
    }


@login_required
@require_GET
def session_detail(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    session = access.get_session_for_reader(request.user, pk, session_pk)
    year = session.year
    groups = list(session.groups.all())
    context: dict[str, Any] = {
        "year": year,
        "session": session,
        "office": is_office(request.user),
        "candidates": list(session.candidates.select_related("unit")),
        "turnout": services.turnout(session),
        "batches": list(session.batches.select_related("group").order_by("-pk")),
        "issue_form": IssueForm(groups=[(g.pk, g.name) for g in groups]),
        "categories": CATEGORY_NAMES,
        "vote_url": _vote_url(request, session),
    }
    if session.is_finished:
        context["tally"] = _tally(session)
    return render(request, "ballots/detail.html", context)


@login_required
@require_POST
def issue_codes(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    session = access.get_session_for_office(request.user, pk, session_pk)
    year = session.year
    groups = {g.pk: g for g in session.groups.all()}
    form = IssueForm(request.POST, groups=[(k, g.name) for k, g in groups.items()])
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            batch, _plain = services.issue_codes(
                session,
                groups[int(form.cleaned_data["group"])],
                form.cleaned_data["count"],
                actor=request.user,
                vote_url=_vote_url(request, session),
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(n)d codes issued. Download and print their slips now: they can be "
                    "downloaded once."
                )
                % {"n": batch.count},
            )
    return redirect("ballots:detail", pk=year.pk, session_pk=session.pk)


@login_required
@require_POST
def download_slips(
    request: AuthenticatedRequest, pk: int, session_pk: int, batch_pk: int
) -> HttpResponse:
    session = access.get_session_for_office(request.user, pk, session_pk)
    year = session.year
    batch = access.get_batch(session, batch_pk)
    try:
        pdf = services.take_slips(batch, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("ballots:detail", pk=year.pk, session_pk=session.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="codes-S{session.pk}-{batch.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def withdraw_batch(
    request: AuthenticatedRequest, pk: int, session_pk: int, batch_pk: int
) -> HttpResponse:
    session = access.get_session_for_office(request.user, pk, session_pk)
    year = session.year
    batch = access.get_batch(session, batch_pk)
    try:
        n = services.withdraw_batch(
            batch, reason=request.POST.get("reason", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(n)d unused codes of batch %(batch)d withdrawn.")
                         % {"n": n, "batch": batch.pk})  # fmt: skip
    return redirect("ballots:detail", pk=year.pk, session_pk=session.pk)


@login_required
@require_POST
def change_state(
    request: AuthenticatedRequest, pk: int, session_pk: int, action: str
) -> HttpResponse:
    session = access.get_session_for_office(request.user, pk, session_pk)
    year = session.year
    try:
        if action == "open":
            services.open_session(session, actor=request.user)
            messages.success(request, _("The session is open: voters can vote now."))
        else:
            services.close_session(session, actor=request.user)
            messages.success(request, _("The session is closed and sealed."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("ballots:detail", pk=year.pk, session_pk=session.pk)


def open_session(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    return change_state(request, pk, session_pk, "open")


def close_session(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    return change_state(request, pk, session_pk, "close")


@login_required
@require_GET
def turnout_screen(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    """The projector's screen: turnout per group, refreshed every few seconds (htmx, or the
    page's own refresh without JavaScript). No grade is shown before the session closes."""
    session = access.get_session_for_reader(request.user, pk, session_pk)
    year = session.year
    rows = services.turnout(session)
    context = {
        "year": year,
        "session": session,
        "rows": rows,
        "returned": sum(r["returned"] for r in rows),
        "invited": sum(r["group"].invited for r in rows),
    }
    template = (
        "ballots/_turnout.html" if request.headers.get("HX-Request") else "ballots/turnout.html"
    )
    return render(request, template, context)


# The voters' pages ---------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _code_page(
    request: HttpRequest,
    session_pk: int | None,
    *,
    error: str = "",
    ticket: str = "",
    wait: int = 0,
    code: str = "",
    status: int = 200,
) -> HttpResponse:
    return _private(
        render(
            request,
            "ballots/vote_code.html",
            {
                "session_pk": session_pk,
                "error": error,
                "wait": wait,
                "code": code,
                "ticket": ticket or guard.new_ticket(),
            },
            status=status,
        )
    )


def _radios(candidate: str, grades: tuple[str, ...], given: dict[str, str]) -> str:
    """A candidate's grade buttons. Written here rather than by a template loop: the
    loop over every candidate's every grade was most of the ballot page's time."""
    name, chosen = escape(f"g-{candidate}"), given.get(candidate)
    return mark_safe(  # every value is escaped
        "".join(
            f'<label><input type="radio" name="{name}" value="{escape(g)}" required'
            f"{' checked' if g == chosen else ''}> {escape(g)}</label>"
            for g in grades
        )
    )


def _ballot_page(
    request: HttpRequest,
    form: services.BallotForm,
    code: str,
    ticket: str,
    given: dict[str, str],
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = [{"c": c, "radios": _radios(c.candidate, form.grades[c.category], given)}
            for c in form.candidates]  # fmt: skip
    rules = [
        {
            "category": CATEGORY_NAMES.get(cat, cat),
            "limit": n,
            "top": form.top_grade[cat],
            "key": cat,
        }
        for cat, n in form.top_limits.items()
    ]
    return _private(
        render(
            request,
            "ballots/vote_ballot.html",
            {
                "form": form,
                "rows": rows,
                "rules": rules,
                "code": code,
                "ticket": ticket,
                "error": error,
            },
            status=status,
        )
    )


def _attempt(request: HttpRequest, session_pk: int | None) -> tuple[Any, str] | HttpResponse:
    """The admitted ticket and the typed code, or the page that refuses the attempt."""
    ticket_value = request.POST.get("ticket", "")
    try:
        ticket = guard.admit(request, ticket_value, session_pk)
    except guard.Refused as refusal:
        if refusal.wait:
            # The same page, its ticket and the code as typed (untested): submitted again
            # after the wait (by vote.js, or by the voter), it is taken. A reload would
            # fetch a new ticket and start the wait again, and a scanned code would be
            # lost, its fragment gone.
            return _code_page(
                request,
                session_pk,
                error=str(refusal),
                wait=refusal.wait,
                ticket=ticket_value,
                code=request.POST.get("code", "")[:20],
                status=429,
            )
        return _code_page(request, session_pk, error=str(refusal), status=403)
    return ticket, ticket_value


@csrf_exempt
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, session_pk: int | None = None) -> HttpResponse:
    if request.method == "GET":
        return _code_page(request, session_pk)
    admitted = _attempt(request, session_pk)
    if isinstance(admitted, HttpResponse):
        return admitted
    ticket, ticket_value = admitted
    code = request.POST.get("code", "")
    try:
        _row, form = services.find_code(code, session_pk=session_pk)
    except services.CodeRefused as refusal:
        if refusal.kind in ("unknown", "malformed"):
            guard.failed(request, ticket, session_pk)
        return _code_page(request, session_pk, error=str(refusal), ticket=ticket_value, status=400)
    return _ballot_page(request, form, code, ticket_value, {})


@csrf_exempt
@sensitive_post_parameters()
@never_cache
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    admitted = _attempt(request, None)
    if isinstance(admitted, HttpResponse):
        return admitted
    ticket, ticket_value = admitted
    code = request.POST.get("code", "")
    given = {key[2:]: str(value) for key, value in request.POST.items() if key.startswith("g-")}
    try:
        receipt = services.cast(code, given)
    except services.CodeRefused as refusal:
        if refusal.kind in ("unknown", "malformed"):
            guard.failed(request, ticket, None)
        return _code_page(request, None, error=str(refusal), ticket=ticket_value, status=400)
    except services.BallotRefused as refusal:
        try:
            _row, form = services.find_code(code)
        except services.CodeRefused as late:  # used or closed meanwhile: not a 500
            return _code_page(request, None, error=str(late), ticket=ticket_value, status=400)
        return _ballot_page(
            request, form, code, ticket_value, given, error=str(refusal), status=400
        )
    return _private(render(request, "ballots/vote_done.html", {"receipt": shown(receipt)}))


@csrf_exempt
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"ticket": guard.new_ticket()}
    if request.method == "POST":
        admitted = _attempt(request, None)
        if isinstance(admitted, HttpResponse):
            return admitted
        ticket, context["ticket"] = admitted
        found = services.check_receipt(request.POST.get("receipt", ""))
        if found is None:
            guard.failed(request, ticket, None)
            context["error"] = _("No ballot has this receipt. Please check it.")
        else:
            context["session"], context["answer"] = found
    return _private(
        render(
            request,
            "ballots/vote_receipt.html",
            context,
            status=400 if context.get("error") else 200,
        )
    )
