"""Pages of the process records: a unit's records with the forms to add, correct and
attach; a file's download; the office's compliance grid. Thin: access → form → service
→ render. The grid reads every unit's current records in one query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit
from sanhao.records import access, services
from sanhao.records.files import max_file_bytes, stored_file_response
from sanhao.records.forms import AttachmentForm, RecordForm
from sanhao.records.models import ProcessRecord, RecordAttachment
from sanhao.records.periods import is_on_time, is_over, period_span

_CODE = "__code__"
ON_TIME, LATE, MISSING, OPEN = "ok", "late", "missing", "open"


def _records_url(year: CampaignYear, unit: Unit) -> str:
    return reverse("records:unit_records", kwargs={"pk": year.pk, "code": unit.code})


def _mark(rec: ProcessRecord | None, year: int, period: int, expected: int, today: dt.date) -> str:
    if rec is not None:
        return ON_TIME if is_on_time(rec.held_on, year, period, expected) else LATE
    return MISSING if is_over(year, period, expected, today) else OPEN


@login_required
@require_http_methods(["GET", "POST"])
def unit_records(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    user = request.user
    year, unit = access.get_unit_records_for_user(user, pk, code)
    can_write = services.can_write_records(user, year, unit)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    types = services.record_types_of(year)
    records = services.current_records(year, [unit])
    by_key = {(r.type, r.period): r for r in records}
    files: dict[int, list[RecordAttachment]] = {}
    for attachment in RecordAttachment.objects.filter(record__in=records).order_by("id"):
        files.setdefault(attachment.record_id, []).append(attachment)
    team = services.team_of(unit) if can_write else []
    correcting = None
    wanted = request.POST.get("record") or request.GET.get("correct")
    if can_write and wanted:
        correcting = access.get_record_for_user(user, year, unit, wanted)
    form = None
    if can_write:
        initial: dict[str, Any] = {}
        if correcting is not None:
            initial = {"type": correcting.type, "period": correcting.period,
                       "held_on": correcting.held_on, "topic": correcting.topic,
                       "text": correcting.text}  # fmt: skip
            absent = {a["number"]: a["reason"] for a in correcting.attendance if not a["present"]}
            for index, post in enumerate(team):
                initial[f"m{index}_present"] = post.person.code not in absent
                initial[f"m{index}_reason"] = absent.get(post.person.code, "")
        form = RecordForm(request.POST or None, initial=initial, types=types, team=team,
                          correcting=correcting is not None)  # fmt: skip
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if correcting is not None:
                    services.correct_record(
                        correcting, period=data["period"], held_on=data["held_on"],
                        topic=data["topic"], attendance=form.attendance(), text=data["text"],
                        reason=data["reason"], actor=user,
                    )  # fmt: skip
                    messages.success(request, _("The record is corrected."))
                else:
                    services.add_record(
                        year, unit, type=data["type"], period=data["period"],
                        held_on=data["held_on"], topic=data["topic"],
                        attendance=form.attendance(), text=data["text"], actor=user,
                    )  # fmt: skip
                    messages.success(request, _("The record is saved."))
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect(_records_url(year, unit))
    today = timezone.localdate()
    closed = services.closed_months_for(user, year) if can_write else set()
    sections = []
    for record_type in types:
        rows = []
        for period in range(1, record_type.expected + 1):
            rec = by_key.get((record_type.type, period))
            last = period_span(year.year, period, record_type.expected)[1]
            rows.append({"period": period, "record": rec, "locked": last.month in closed,
                         "mark": _mark(rec, year.year, period, record_type.expected, today),
                         "files": files.get(rec.pk, []) if rec else []})  # fmt: skip
        sections.append({"type": record_type, "monthly": services.monthly(record_type),
                         "rows": rows})  # fmt: skip
    return render(
        request,
        "records/unit_records.html",
        {
            "year": year,
            "unit": unit,
            "sections": sections,
            "form": form,
            "correcting": correcting,
            "can_write": can_write,
            "max_mb": max_file_bytes() // (1024 * 1024),
            "can_read_grid": access.can_read_grid(user),
        },
    )


@login_required
@require_POST
def attach(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    user = request.user
    year, unit = access.get_unit_records_for_user(user, pk, code)
    if not services.can_write_records(user, year, unit):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a record and a file to attach."))
        return redirect(_records_url(year, unit))
    rec = access.get_record_for_user(user, year, unit, form.cleaned_data["record"])
    try:
        attachment = services.attach_file(rec, form.cleaned_data["file"], actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is attached.") % {"name": attachment.name})
    return redirect(_records_url(year, unit))


@login_required
@require_GET
def download(request: AuthenticatedRequest, pk: int, code: str, file_pk: int) -> FileResponse:
    attachment = access.get_attachment_for_user(request.user, pk, code, file_pk)
    return stored_file_response(attachment.stored_name, attachment.name, attachment.kind)


def grid_rows(year: CampaignYear, units: list[Unit], today: dt.date) -> list[dict[str, Any]]:
    """For every unit and monthly type of the year's scheme, the mark of each month:
    one query for all units' records."""
    types = [t for t in services.record_types_of(year) if services.monthly(t)]
    held: dict[tuple[int, str, int], dt.date] = {}
    for unit_id, type, period, held_on in (
        ProcessRecord.objects.filter(year=year, superseded_by__isnull=True)
        .values_list("unit_id", "type", "period", "held_on")
    ):  # fmt: skip
        held[(unit_id, type, period)] = held_on
    rows = []
    for unit in units:
        for index, record_type in enumerate(types):
            marks = []
            for month in range(1, 13):
                day = held.get((unit.pk, record_type.type, month))
                if day is not None:
                    mark = ON_TIME if is_on_time(day, year.year, month, 12) else LATE
                else:
                    mark = MISSING if is_over(year.year, month, 12, today) else OPEN
                marks.append(mark)
            rows.append({"unit": unit, "first": index == 0, "span": len(types),
                         "type": record_type, "marks": marks,
                         "late": marks.count(LATE), "missing": marks.count(MISSING)})  # fmt: skip
    return rows


@login_required
def grid(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_grid(request.user, pk)
    units = list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))
    rows = grid_rows(year, units, timezone.localdate())
    base = reverse("records:unit_records", kwargs={"pk": year.pk, "code": _CODE})
    for row in rows:
        row["url"] = base.replace(_CODE, row["unit"].code)
    return render(
        request,
        "records/grid.html",
        {"year": year, "rows": rows, "months": list(range(1, 13))},
    )
