"""The office's pages of the working-day calendar: the known years with a period
calculator, and one year's holidays and adjusted working days with the entry form."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.lib.errors import DomainError
from sanhao.workdays import services
from sanhao.workdays.access import require_calendar_office
from sanhao.workdays.forms import PeriodForm, YearForm
from sanhao.workdays.models import CalendarVersion


@login_required
@require_http_methods(["GET"])
def index(request: AuthenticatedRequest) -> HttpResponse:
    require_calendar_office(request.user)
    latest = {}
    for version in CalendarVersion.objects.select_related("created_by").order_by("year", "number"):
        latest[version.year] = version
    years = [(year, source, latest.get(year)) for year, source in services.known_years()]
    form = PeriodForm(request.GET or None)
    period, counted, error = None, [], ""
    if form.is_valid():
        try:
            period = services.notice_period(form.cleaned_data["first"],
                                            form.cleaned_data["working_days"])  # fmt: skip
            counted = services.working_days_between(*period)
        except DomainError as problem:
            error = problem.message
    next_years = [y for y in range(dt.date.today().year, dt.date.today().year + 3)
                  if y not in dict(services.known_years())]  # fmt: skip
    return render(request, "workdays/index.html",
                  {"years": years, "form": form, "period": period, "counted": counted,
                   "error": error, "next_years": next_years})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def year_detail(request: AuthenticatedRequest, year: int) -> HttpResponse:
    require_calendar_office(request.user)
    builtin = services.package_knows(year)
    latest = services.latest_version(year)
    form = None
    if not builtin:
        form = YearForm(request.POST or None, initial={"text": latest.text if latest else ""})
        if request.method == "POST" and form.is_valid():
            try:
                version = services.save_year(year, form.cleaned_data["text"], actor=request.user)
            except services.CalendarTextError as problem:
                for error in problem.errors:
                    form.add_error("text", error)
            except DomainError as problem:
                messages.error(request, problem.message)
            else:
                messages.success(request, _saved(version))
                return redirect("workdays:year", year=year)
    elif request.method == "POST":
        messages.error(request, _builtin_message(year))
        return redirect("workdays:year", year=year)
    entries = services.year_entries(year) if builtin or latest else []
    versions = (CalendarVersion.objects.filter(year=year).select_related("created_by")
                .order_by("-number"))  # fmt: skip
    return render(request, "workdays/year.html",
                  {"year": year, "builtin": builtin, "entries": entries, "form": form,
                   "latest": latest, "versions": versions})  # fmt: skip


def _saved(version: CalendarVersion) -> str:
    return _("The calendar of %(year)s is saved as version %(number)s.") % {
        "year": version.year,
        "number": version.number,
    }


def _builtin_message(year: int) -> str:
    return _(
        "The holidays and adjusted working days of %(year)s are built in "
        "(chinesecalendar) and cannot be entered."
    ) % {"year": year}
