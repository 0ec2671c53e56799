"""The office's pages from the score run to the awards (docs/awards.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.awards import access, documents, services
from sanhao.awards.forms import (
    CareerEventForm,
    DecisionForm,
    MeetingForm,
    NoticeForm,
    WithdrawForm,
)
from sanhao.awards.models import (
    Action,
    Award,
    Decision,
    Deliberation,
    EventKind,
    Notice,
    Snapshot,
)
from sanhao.campaigns.models import CampaignYear
from sanhao.lib import docx, xlsx_export
from sanhao.lib.downloads import attachment
from sanhao.lib.errors import DomainError
from sanhao.lib.forms import form_errors
from sanhao.rankings.runs import latest_run


def _issuer(year: CampaignYear) -> str:
    return _("Organization Department of the %(district)s Committee of the CPC") % {
        "district": year.district.name
    }


@login_required
@require_GET
def year_awards(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The steps from the score run to the awards, where the year stands, what comes next."""
    year = access.year_for_reader(request.user, pk)
    run = latest_run(year)
    snapshots = list(Snapshot.objects.filter(year=year).select_related("created_by"))
    deliberations = list(
        Deliberation.objects.filter(snapshot__year=year).select_related("snapshot", "created_by")
    )
    notice = (
        Notice.objects.filter(deliberation__snapshot__year=year)
        .select_related("deliberation")
        .first()
    )
    decision = Decision.objects.filter(notice=notice).first() if notice else None
    return render(
        request,
        "awards/year.html",
        {
            "year": year,
            "run": run,
            "run_frozen": run is not None and any(s.run_id == run.pk for s in snapshots),
            "snapshots": snapshots,
            "deliberations": deliberations,
            "notice": notice,
            "notice_state": services.notice_state(notice) if notice else "",
            "decision": decision,
            "can_edit": request.user.is_office,
        },
    )


@login_required
@require_POST
def freeze(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.year_for_office(request.user, pk)
    run = latest_run(year)
    if run is None:
        messages.error(request, _("No scores have been computed for this year yet."))
        return redirect("awards:year", pk=year.pk)
    try:
        snapshot = services.freeze(run, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("awards:year", pk=year.pk)
    messages.success(
        request,
        _("Score run %(n)s frozen: hash %(hash)s.") % {"n": run.pk, "hash": snapshot.short_hash},
    )
    return redirect("awards:snapshot", pk=year.pk, snapshot_pk=snapshot.pk)


@login_required
@require_GET
def snapshot(request: AuthenticatedRequest, pk: int, snapshot_pk: int) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    frozen = access.snapshot(year, snapshot_pk)
    return render(
        request,
        "awards/snapshot.html",
        {
            "year": year,
            "snapshot": frozen,
            "categories": _proposal_rows(frozen),
            "size": len(frozen.content.encode()),
            "can_edit": request.user.is_office,
        },
    )


@login_required
@require_POST
def verify(request: AuthenticatedRequest, pk: int, snapshot_pk: int) -> HttpResponse:
    year = access.year_for_office(request.user, pk)
    frozen = access.snapshot(year, snapshot_pk)
    problems = services.verify(frozen)
    if problems:
        messages.error(
            request, _("The snapshot does not hold: %(p)s.") % {"p": "；".join(problems)}
        )
    else:
        messages.success(
            request,
            _("The snapshot holds: recomputed from its scheme and facts to the same bytes."),
        )
    return redirect("awards:snapshot", pk=year.pk, snapshot_pk=frozen.pk)


@login_required
@require_GET
def snapshot_download(request: AuthenticatedRequest, pk: int, snapshot_pk: int) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    frozen = access.snapshot(year, snapshot_pk)
    return attachment(
        frozen.content.encode(), f"snapshot-{year.year}-{frozen.short_hash}.json",
        "application/json",
    )  # fmt: skip


def _proposal_rows(frozen: Snapshot) -> list[dict[str, Any]]:
    out = []
    for key, part in services.proposal(frozen).items():
        rows = []
        for row in part["candidates"]:
            rows.append({**row, "awarded": row["status"] == "awarded",
                         "reasons_text": "；".join(r.get("text", "") for r in row.get("reasons") or [])})  # fmt: skip
        out.append({"key": key, "name": part["name"], "quota": part["quota"],
                    "unit_cap": part.get("unit_cap"), "threshold": part.get("threshold"),
                    "seats_for_deliberation": part.get("seats_for_deliberation"),
                    "empty_seats": part.get("empty_seats"), "rows": rows})  # fmt: skip
    return out


def _choices(post: Any, categories: list[dict[str, Any]]) -> dict[str, services.Choice]:
    """The form's decisions that differ from the ranking's proposal."""
    choices = {}
    for part in categories:
        for row in part["rows"]:
            given = post.get(f"action-{row['id']}", "")
            reason = post.get(f"reason-{row['id']}", "")
            if row["awarded"] and given == Action.REMOVE:
                choices[row["id"]] = services.Choice(Action.REMOVE, reason)
            elif not row["awarded"] and given == Action.ADD:
                choices[row["id"]] = services.Choice(Action.ADD, reason)
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def deliberate(request: AuthenticatedRequest, pk: int, snapshot_pk: int) -> HttpResponse:
    year = access.year_for_office(request.user, pk)
    frozen = access.snapshot(year, snapshot_pk)
    categories = _proposal_rows(frozen)
    entered: dict[str, str] = {}
    if request.method == "POST":
        form = MeetingForm(request.POST)
        entered = {k: str(request.POST.get(k, "")) for k in request.POST
                   if k.startswith(("action-", "reason-"))}  # fmt: skip
        if form.is_valid():
            try:
                made = services.deliberate(
                    frozen, **form.cleaned_data, choices=_choices(request.POST, categories),
                    actor=request.user,
                )  # fmt: skip
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The deliberation and its proposed list are recorded."))
                return redirect("awards:deliberation", pk=year.pk, deliberation_pk=made.pk)
        else:
            messages.error(request, form_errors(form))
    else:
        form = MeetingForm(initial={"held_on": timezone.localdate()})
    for part in categories:
        for row in part["rows"]:
            row["given_action"] = entered.get(f"action-{row['id']}", "")
            row["given_reason"] = entered.get(f"reason-{row['id']}", "")
    return render(
        request,
        "awards/deliberate.html",
        {"year": year, "snapshot": frozen, "form": form, "categories": categories},
    )


@login_required
@require_GET
def deliberation(request: AuthenticatedRequest, pk: int, deliberation_pk: int) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    meeting = access.deliberation(year, deliberation_pk)
    items = list(meeting.items.select_related("unit"))
    latest = services.latest_deliberation(year)
    return render(
        request,
        "awards/deliberation.html",
        {
            "year": year,
            "deliberation": meeting,
            "groups": services.by_category(items),
            "changes": [i for i in items if i.action != Action.AGREE],
            "is_latest": latest is not None and latest.pk == meeting.pk,
            "notice": Notice.objects.filter(deliberation=meeting).first(),
            "can_edit": request.user.is_office,
        },
    )


def _notice_initial(year: CampaignYear) -> dict[str, Any]:
    office = _issuer(year)
    return {
        "title": _("Public notice of the nominees of the %(year)s Three Goods campaign")
        % {"year": year.year},
        "issuer": office,
        "body": _(
            "After the quantified scores, the report-and-rank panel, the democratic evaluation "
            "and the deliberation, the following teams and cadres are proposed for the "
            "%(year)s Three Goods awards. They are published for public comment."
        )
        % {"year": year.year},
        "how_to_object": _(
            "During the notice, anyone may raise an objection by telephone, letter, visit or "
            "through the objection form of this page. Objections must give a real name and a "
            "phone number; anonymous ones are recorded but not handled."
        ),
        "contact": _("Cadre section, %(office)s") % {"office": office},
        "first_day": timezone.localdate(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedRequest, pk: int, deliberation_pk: int) -> HttpResponse:
    year = access.year_for_office(request.user, pk)
    meeting = access.deliberation(year, deliberation_pk)
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                notice = services.publish_notice(meeting, **form.cleaned_data, actor=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("The notice is published: %(starts)s to %(ends)s.")
                    % {"starts": notice.starts.isoformat(), "ends": notice.ends.isoformat()},
                )
                return redirect("awards:notice", pk=year.pk, notice_pk=notice.pk)
        else:
            messages.error(request, form_errors(form))
    else:
        form = NoticeForm(initial=_notice_initial(year))
    return render(
        request,
        "awards/publish.html",
        {"year": year, "deliberation": meeting, "form": form,
         "groups": services.by_category(services.proposed_items(meeting))},
    )  # fmt: skip


@login_required
@require_GET
def notice(request: AuthenticatedRequest, pk: int, notice_pk: int) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    published = access.notice(year, notice_pk)
    removals = list(published.removals.select_related("item", "created_by"))
    objections = list(published.objections.prefetch_related("steps"))
    return render(
        request,
        "awards/notice.html",
        {
            "year": year,
            "notice": published,
            "state": services.notice_state(published),
            "groups": services.by_category(services.nominees(published)),
            "removals": removals,
            "objections": len([o for o in objections if not o.anonymous]),
            "anonymous": len([o for o in objections if o.anonymous]),
            "open_objections": services.open_objections(published),
            "decision": Decision.objects.filter(notice=published).first(),
            "can_edit": request.user.is_office,
        },
    )


@login_required
@require_GET
def notice_docx(request: AuthenticatedRequest, pk: int, notice_pk: int) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    published = access.notice(year, notice_pk)
    return docx.response(documents.notice_docx(published), f"公示-{year.year}.docx")


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: AuthenticatedRequest, pk: int, notice_pk: int) -> HttpResponse:
    year = access.year_for_office(request.user, pk)
    published = access.notice(year, notice_pk)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                made = services.issue_decision(published, **form.cleaned_data, actor=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("The award decision %(n)s is issued.") % {"n": made.number}
                )
                return redirect("awards:decision", pk=year.pk, decision_pk=made.pk)
        else:
            messages.error(request, form_errors(form))
    else:
        today = timezone.localdate()
        form = DecisionForm(
            initial={
                "title": _("Decision on commending the %(year)s Three Goods teams and cadres")
                % {"year": year.year},
                "issuer": _issuer(year),
                "body": _(
                    "In the %(year)s Three Goods campaign, the teams and cadres below stood out "
                    "by their results, their responsibility and public recognition. After the "
                    "evaluation, the deliberation and the public notice, it is decided to "
                    "commend them. We hope that they keep their momentum, and call on the "
                    "district's cadres to learn from them."
                )
                % {"year": year.year},
                "issued_on": max(today, published.ends + dt.timedelta(days=1)),
            }
        )
    return render(
        request,
        "awards/decide.html",
        {"year": year, "notice": published, "form": form,
         "state": services.notice_state(published),
         "open_objections": services.open_objections(published),
         "groups": services.by_category(services.nominees(published))},
    )  # fmt: skip


@login_required
@require_GET
def decision(request: AuthenticatedRequest, pk: int, decision_pk: int) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    issued = access.decision(year, decision_pk)
    awards = list(issued.awards.select_related("unit", "person"))
    return render(
        request,
        "awards/decision.html",
        {"year": year, "decision": issued, "groups": services.by_category(awards),
         "snapshot": issued.notice.deliberation.snapshot},
    )  # fmt: skip


@login_required
@require_GET
def decision_file(
    request: AuthenticatedRequest, pk: int, decision_pk: int, fmt: str
) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    issued = access.decision(year, decision_pk)
    if fmt == "docx":
        return docx.response(documents.decision_docx(issued), f"表彰决定-{year.year}.docx")
    if fmt == "xlsx":
        return xlsx_export.response(documents.decision_xlsx(issued), f"表彰名单-{year.year}.xlsx")
    raise Http404


@login_required
@require_GET
def incentives(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.year_for_reader(request.user, pk)
    awards = list(
        Award.objects.filter(year=year).select_related("unit", "person").order_by("order")
    )
    events = services.standing_events(awards)
    by_award: dict[int, list[Any]] = {}
    for event in events:
        by_award.setdefault(event.award_id, []).append(event)
    rows = [{"award": a, "events": by_award.get(a.pk, [])} for a in awards]
    return render(
        request,
        "awards/incentives.html",
        {
            "year": year,
            "rows": rows,
            "counts": services.incentive_counts(year.district_id),
            "kinds": EventKind.choices,
            "form": CareerEventForm(auto_id=False, initial={"happened_on": timezone.localdate()}),
            "can_edit": request.user.is_office,
        },
    )


@login_required
@require_POST
def add_event(request: AuthenticatedRequest, pk: int, award_pk: int) -> HttpResponse:
    year = access.year_for_office(request.user, pk)
    award = access.award(year, award_pk)
    form = CareerEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{award.name}：{form_errors(form)}")
    else:
        try:
            services.record_career_event(award, **form.cleaned_data, actor=request.user)
        except DomainError as error:
            messages.error(request, f"{award.name}：{error.message}")
        else:
            messages.success(request, _("Recorded for %(name)s.") % {"name": award.name})
    return redirect(reverse("awards:incentives", kwargs={"pk": year.pk}) + f"#award-{award.pk}")


@login_required
@require_POST
def withdraw_event(request: AuthenticatedRequest, pk: int, career_pk: int) -> HttpResponse:
    year = access.year_for_office(request.user, pk)
    event = access.career_event(year, career_pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.withdraw_career_event(event, **form.cleaned_data, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The entry is withdrawn."))
    return redirect(
        reverse("awards:incentives", kwargs={"pk": year.pk}) + f"#award-{event.award_id}"
    )
