"""The process records in Excel: the template and the import, the exports of the
compliance grid and of a unit's records. Thin: access → form → import or export.

A liaison's template and import are their own unit's; the office's the district's, or
one unit's when the request names it. The exports pass the same checks as their pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.campaigns.access import get_year_for_importer, unit_scope, units_in_scope
from sanhao.jobs import services as jobs
from sanhao.lib import xlsx_export
from sanhao.lib.xlsx_import import WorkbookField
from sanhao.orgs.models import Unit
from sanhao.records import access, imports, services
from sanhao.records.views import LATE, MISSING, ON_TIME, grid_rows

PROBLEMS_SHOWN = 200
MARK_WORDS = {ON_TIME: "✓", LATE: "迟", MISSING: "缺"}


class RecordsUploadForm(forms.Form):
    file = WorkbookField(label=gettext_lazy("records workbook (.xlsx)"))
    unit = forms.SlugField(required=False, widget=forms.HiddenInput)


@login_required
def records_template(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = get_year_for_importer(request.user, pk)
    unit = unit_scope(request.user, year, request.GET.get("unit"))
    units = units_in_scope(year, unit)
    name = f"{year.year}年过程记录-{unit.name if unit else year.district.name}.xlsx"
    return xlsx_export.response(imports.build_template(year, units), name)


def records_done_url(year: Any, unit: Unit | None) -> str:
    """Where an import of records leads once it is saved: the unit's records or the grid."""
    if unit is not None:
        return reverse("records:unit_records", kwargs={"pk": year.pk, "code": unit.code})
    return reverse("records:grid", kwargs={"pk": year.pk})


@login_required
@require_http_methods(["GET", "POST"])
def records_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year = get_year_for_importer(user, pk)
    form = RecordsUploadForm(request.POST or None, request.FILES or None,
                             initial={"unit": request.GET.get("unit", "")})  # fmt: skip
    unit = unit_scope(user, year, request.POST.get("unit") or request.GET.get("unit"))
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        if jobs.in_background(len(data)):
            from sanhao.jobs.views import follow

            job = jobs.start(
                "import", actor=user, campaign=year, upload=data, label=_("Import of records"),
                params={"importer": "records", "unit": unit.code if unit else ""},
            )  # fmt: skip
            return follow(request, job, back=request.get_full_path())
        report = imports.import_records(data, year=year, actor=user, own_unit=unit)
        if report.ok:
            messages.success(request, imports.outcome_message(report))
            return redirect(records_done_url(year, unit))
    return render(
        request,
        "records/records_import.html",
        {"year": year, "unit": unit, "form": form, "report": report,
         "shown": report.problems[:PROBLEMS_SHOWN] if report else []},
    )  # fmt: skip


@login_required
def grid_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_grid(request.user, pk)
    units = list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))
    rows = [
        [row["unit"].code, row["unit"].name, row["type"].name,
         *(MARK_WORDS.get(mark, "") for mark in row["marks"]), row["late"], row["missing"]]
        for row in grid_rows(year, units, timezone.localdate())
    ]  # fmt: skip
    title = _("Process records of %(year)s: compliance") % {"year": year.year}
    header = [_("unit code"), _("unit"), _("record type"),
              *(_("month %(m)s") % {"m": m} for m in range(1, 13)),
              _("held late"), _("missing")]  # fmt: skip
    return xlsx_export.export(
        f"{title}.xlsx", xlsx_export.Sheet(_("compliance"), header, rows, title_row=title)
    )


@login_required
def unit_records_export(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    year, unit = access.get_unit_records_for_user(request.user, pk, code)
    names = {t.type: t.name for t in services.record_types_of(year)}
    rows = [
        [names.get(r.type, r.type), r.period, r.held_on, r.topic, r.present_count,
         "；".join(f"{a['name']}（{a['reason']}）" for a in r.absent), r.text,
         r.reason, r.created]
        for r in services.current_records(year, [unit])
    ]  # fmt: skip
    title = _("%(unit)s: process records of %(year)s") % {"unit": unit.name, "year": year.year}
    header = [_("record type"), _("period"), _("held on"), _("topic"), _("present"),
              _("absent, with the reason"), _("summary"), _("reason of the correction"),
              _("entered")]  # fmt: skip
    return xlsx_export.export(
        f"{title}.xlsx",
        xlsx_export.Sheet(_("process records"), header, rows, title_row=title),
    )
