"""The figures in Excel: the month's actuals template and import, and the exports of the
district table and a unit's figures. Thin: access → form → import or export → render.

A liaison's template and import are their own unit's; the office's are the district's,
or one unit's when the request names it (`?unit=` / the form's `unit`, as the unit's
figures page does). The exports pass the same access checks as their pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.campaigns.access import get_year_for_importer, unit_scope, units_in_scope
from sanhao.jobs import services as jobs
from sanhao.lib import xlsx_export
from sanhao.lib.xlsx_import import WorkbookField
from sanhao.orgs.models import Unit
from sanhao.targets import access, imports, reports, services
from sanhao.targets.forms import month_choices

PROBLEMS_SHOWN = 200


class ActualsUploadForm(forms.Form):
    month = forms.TypedChoiceField(label=gettext_lazy("month"), choices=month_choices, coerce=int)
    file = WorkbookField(label=gettext_lazy("actuals workbook (.xlsx)"))
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Required for a correction of a locked month."),
    )
    unit = forms.SlugField(required=False, widget=forms.HiddenInput)


def _month(value: Any) -> int:
    try:
        month = int(value)
    except (TypeError, ValueError):
        return 1
    return month if 1 <= month <= 12 else 1


@login_required
def actuals_template(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = get_year_for_importer(request.user, pk)
    unit = unit_scope(request.user, year, request.GET.get("unit"))
    month = _month(request.GET.get("month"))
    units = units_in_scope(year, unit)
    content = imports.build_template(
        year, units, month, services.current_figures(year, units if unit else None)
    )
    name = f"{year.year}年{month}月实绩-{unit.name if unit else year.district.name}.xlsx"
    return xlsx_export.response(content, name)


def actuals_done_url(year: Any, unit: Unit | None, month: int) -> str:
    """Where an import of actuals leads once it is saved: the unit's or the district's table."""
    if unit is not None:
        url = reverse("targets:unit_figures", kwargs={"pk": year.pk, "code": unit.code})
        return f"{url}?month={month}"
    return reverse("targets:district_figures", kwargs={"pk": year.pk})


@login_required
@require_http_methods(["GET", "POST"])
def actuals_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year = get_year_for_importer(user, pk)
    form = ActualsUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"month": _month(request.GET.get("month")), "unit": request.GET.get("unit", "")},
    )
    unit = unit_scope(user, year, request.POST.get("unit") or request.GET.get("unit"))
    report = None
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        data = form.cleaned_data["file"].read()
        back = actuals_done_url(year, unit, month)
        if jobs.in_background(len(data)):
            from sanhao.jobs.views import follow

            job = jobs.start(
                "import", actor=user, campaign=year, upload=data,
                label=_("Import of the actuals of month %(m)s") % {"m": month},
                params={"importer": "actuals", "month": month, "unit": unit.code if unit else "",
                        "reason": form.cleaned_data["reason"]},
            )  # fmt: skip
            return follow(request, job, back=request.get_full_path())
        report = imports.import_actuals(
            data, year=year, month=month, actor=user, reason=form.cleaned_data["reason"],
            own_unit=unit,
        )  # fmt: skip
        if report.ok:
            (messages.success if report.changed else messages.info)(
                request, imports.outcome_message(report)
            )
            return redirect(back)
    return render(
        request,
        "targets/actuals_import.html",
        {
            "year": year,
            "unit": unit,
            "form": form,
            "report": report,
            "shown": report.problems[:PROBLEMS_SHOWN] if report else [],
            "month": form["month"].value(),
        },
    )


# Exports -------------------------------------------------------------------------


@login_required
def district_figures_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_district_table(request.user, pk)
    indicators = services.indicators_of(year)
    units = list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))
    table = reports.cells(indicators, services.current_figures(year), [u.pk for u in units])
    header = [_("unit code"), _("unit")]
    for indicator in indicators:
        name = imports.header_of(indicator)
        header += [
            f"{name} {_('annual plan')}",
            f"{name} {_('actual to date')}",
            f"{name} {_('to month')}",
            f"{name} {_('completion of plan')}",
            f"{name} {_('pace')}",
            f"{name} {_('place among units')}",
        ]
    rows = []
    for unit in units:
        row: list[Any] = [unit.code, unit.name]
        for cell in table[unit.pk]:
            row += [cell.plan, cell.actual, cell.latest_month, cell.completion_text,
                    cell.pace.label if cell.pace else "", cell.place]  # fmt: skip
        rows.append(row)
    title = _("Indicators of all units, %(year)s") % {"year": year.year}
    return xlsx_export.export(
        f"{title}.xlsx", xlsx_export.Sheet(_("indicators"), header, rows, title_row=title)
    )


@login_required
def unit_figures_export(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    year, unit = access.get_unit_figures_for_user(request.user, pk, code)
    indicators = services.indicators_of(year)
    figures = services.current_figures(year)
    unit_ids = {key[0] for key in figures} | {unit.pk}
    cells = reports.cells(indicators, figures, unit_ids)[unit.pk]
    summary = [
        [cell.indicator.name, imports.measure_of(cell.indicator), cell.plan, cell.prior,
         cell.actual, cell.latest_month, cell.completion_text, cell.expected_text,
         cell.pace.label if cell.pace else "", cell.growth_text, cell.place]
        for cell in cells
    ]  # fmt: skip
    months = [
        [cell.indicator.name, *(cell.months.get(m) for m in reports.MONTHS)] for cell in cells
    ]
    title = _("%(unit)s: indicators of %(year)s") % {"unit": unit.name, "year": year.year}
    return xlsx_export.export(
        f"{title}.xlsx",
        xlsx_export.Sheet(
            _("completion and pace"),
            [
                _("indicator"),
                _("unit of measure"),
                _("annual plan"),
                _("prior-year actual"),
                _("actual to date"),
                _("to month"),
                _("completion of plan"),
                _("expected by the month"),
                _("pace"),
                _("year-on-year"),
                _("place among units"),
            ],
            summary,
            title_row=title,
        ),
        xlsx_export.Sheet(
            _("cumulative actuals by month"),
            [_("indicator"), *(label for _m, label in month_choices())],
            months,
        ),
    )
