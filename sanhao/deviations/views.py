"""Pages of the deviations: the year's list, the office's form to raise one, a deviation
with its history and the update form, an evidence file's download. Thin: access → form →
service → render or redirect. A liaison sees their own unit's only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.deviations import access, services
from sanhao.deviations.forms import DeviationForm, DeviationUpdateForm
from sanhao.deviations.models import DeviationStatus, DeviationUpdate
from sanhao.lib.errors import DomainError
from sanhao.lib.forms import form_errors
from sanhao.orgs.models import Unit
from sanhao.records.files import stored_file_response
from sanhao.records.models import ProcessRecord

SHOWN = {"all", "open", "overdue"}


@login_required
@require_GET
def deviation_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year, units = access.get_year_for_user(user, pk)  # 403 for a judge
    shown = request.GET.get("show") if request.GET.get("show") in SHOWN else "all"
    today = timezone.localdate()
    rows = []
    counts = {"all": 0, "open": 0, "overdue": 0}
    for deviation in services.year_deviations(year, None if is_office(user) else units):
        status = str(deviation.status)  # type: ignore[attr-defined]
        overdue = services.is_overdue(deviation, status, today)
        counts["all"] += 1
        counts["open"] += status == services.OPEN
        counts["overdue"] += overdue
        if (shown == "open" and status != services.OPEN) or (shown == "overdue" and not overdue):
            continue
        rows.append({"deviation": deviation, "status": DeviationStatus(status).label,
                     "open": status == services.OPEN, "overdue": overdue,
                     "days": (today - deviation.deadline).days if overdue else 0})  # fmt: skip
    return render(request, "deviations/list.html",
                  {"year": year, "rows": rows, "shown": shown, "counts": counts,
                   "office": is_office(user), "today": today})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def raise_deviation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year = access.get_year_for_office(user, pk)
    units = Unit.objects.filter(district_id=year.district_id).order_by("order", "code")
    records = (
        ProcessRecord.objects.filter(year=year, type=services.SUPERVISION,
                                     superseded_by__isnull=True)
        .select_related("unit").order_by("unit__order", "period", "id")
    )  # fmt: skip
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("unit"):
        initial["unit"] = units.filter(code=request.GET["unit"]).first()
    form = DeviationForm(request.POST or None, initial=initial, units=units, records=records)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deviation = services.raise_deviation(
                year, data["unit"], found_on=data["found_on"], problem=data["problem"],
                correction=data["correction"], deadline=data["deadline"],
                record_of=data["record"], actor=user,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Deviation raised."))
            return redirect("deviations:detail", pk=year.pk, deviation_pk=deviation.pk)
    return render(request, "deviations/raise.html", {"year": year, "form": form})


@login_required
@require_GET
def deviation_detail(request: AuthenticatedRequest, pk: int, deviation_pk: int) -> HttpResponse:
    user = request.user
    year, _units = access.get_year_for_user(user, pk)
    deviation = access.get_deviation_for_user(user, year, deviation_pk)
    history = list(
        DeviationUpdate.objects.filter(deviation=deviation).select_related("created_by")
        .order_by("id")
    )  # fmt: skip
    status = history[-1].status if history else services.OPEN
    allowed = services.allowed_statuses(user, deviation, status)
    statuses = [(s, str(DeviationStatus(s).label) if s != status else _("a note only"))
                for s in allowed]  # fmt: skip
    form = DeviationUpdateForm(statuses=statuses) if statuses else None
    return render(
        request,
        "deviations/detail.html",
        {
            "year": year,
            "deviation": deviation,
            "history": history,
            "status": DeviationStatus(status).label,
            "overdue": services.is_overdue(deviation, status, timezone.localdate()),
            "form": form,
        },
    )


@login_required
@require_POST
def update_deviation(request: AuthenticatedRequest, pk: int, deviation_pk: int) -> HttpResponse:
    user = request.user
    year, _units = access.get_year_for_user(user, pk)
    deviation = access.get_deviation_for_writer(user, year, deviation_pk)
    statuses = [(s, s) for s in services.allowed_statuses(user, deviation)]
    form = DeviationUpdateForm(request.POST, request.FILES, statuses=statuses)
    if not form.is_valid():
        messages.error(request, _("The update was not saved: %(problems)s")
                       % {"problems": form_errors(form)})  # fmt: skip
    else:
        try:
            services.update_deviation(deviation, status=form.cleaned_data["status"],
                                      note=form.cleaned_data["note"],
                                      file=form.cleaned_data["file"], actor=user)  # fmt: skip
        except DomainError as error:
            messages.error(request, _("The update was not saved: %(problems)s")
                           % {"problems": error.message})  # fmt: skip
        else:
            messages.success(request, _("Deviation updated."))
    return redirect("deviations:detail", pk=year.pk, deviation_pk=deviation.pk)


@login_required
@require_GET
def download(
    request: AuthenticatedRequest, pk: int, deviation_pk: int, update_pk: int
) -> FileResponse:
    year, _units = access.get_year_for_user(request.user, pk)
    update = access.get_file_for_user(request.user, year, deviation_pk, update_pk)
    return stored_file_response(update.stored_name, update.file_name, update.file_kind)
