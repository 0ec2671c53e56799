"""Pages of the targets and actuals: a unit's figures with its entry form, the district
table with the month locks, a deputy's 分管. Thin: access → form → service → render.

Each page reads the year's figures for the whole district in one query
(`services.current_figures`) and computes completion, pace and place in memory
(`reports`): the number of queries does not grow with the number of units.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, Role, Unit
from sanhao.scoring.scheme import Indicator
from sanhao.targets import access, reports, services
from sanhao.targets import pledges as pledge_services
from sanhao.targets.forms import (
    FiguresForm,
    MonthLockForm,
    OversightForm,
    PledgeChangeForm,
    PledgeForm,
    month_choices,
)
from sanhao.targets.models import MonthLock, Oversight

_CODE = "__code__"


def _month_heads(locked: set[int]) -> list[dict[str, Any]]:
    return [{"month": m, "label": label, "locked": m in locked} for m, label in month_choices()]


def _default_month(current: dict[tuple[str, str, int], Decimal], locked: set[int]) -> int:
    """The month a clerk most likely enters now: the latest one entered, or the first
    open month after it."""
    entered = max((m for (_i, kind, m) in current if kind == reports.ACTUAL), default=1)
    for month in range(entered, 13):
        if month not in locked:
            return month
    return 12


def _month(value: str | None, default: int) -> int:
    try:
        month = int(value or "")
    except ValueError:
        return default
    return month if 1 <= month <= 12 else default


def _figures_url(year: CampaignYear, unit: Unit, month: int | None = None) -> str:
    url = reverse("targets:unit_figures", kwargs={"pk": year.pk, "code": unit.code})
    return f"{url}?month={month}" if month else url


def _deputies(
    year: CampaignYear, unit: Unit, indicators: tuple[Indicator, ...], *, office: bool
) -> list[dict[str, Any]]:
    """The unit's current deputies with their overseen indicators (two queries)."""
    posts = list(
        Post.objects.filter(unit=unit, role=Role.DEPUTY, end__isnull=True)
        .select_related("person")
        .order_by("order", "start", "pk")
    )
    overseen: dict[int, list[str]] = {}
    for post_id, indicator in Oversight.objects.filter(year=year, post__in=posts).values_list(
        "post_id", "indicator"
    ):
        overseen.setdefault(post_id, []).append(indicator)
    names = {i.id: i.name for i in indicators}
    order = {i.id: n for n, i in enumerate(indicators)}
    deputies = []
    for post in posts:
        ids = sorted(overseen.get(post.pk, []), key=lambda i: order.get(i, len(order)))
        deputies.append(
            {
                "post": post,
                "indicators": [names.get(i, i) for i in ids],
                "form": OversightForm(
                    prefix=f"post-{post.pk}", initial={"indicators": ids}, indicators=indicators
                )
                if office
                else None,
            }
        )
    return deputies


@login_required
@require_http_methods(["GET", "POST"])
def unit_figures(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    user = request.user
    year, unit = access.get_unit_figures_for_user(user, pk, code)
    can_write = services.can_write_unit(user, unit)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    indicators = services.indicators_of(year)
    figures = services.current_figures(year)
    locked = services.locked_months(year)
    current = {(i, kind, m): v for (u, i, kind, m), v in figures.items() if u == unit.pk}
    default = _default_month(current, locked)
    month = _month(request.POST.get("month") or request.GET.get("month"), default)
    form = None
    if can_write:
        form = FiguresForm(
            request.POST or None,
            indicators=indicators,
            month=month,
            current=current,
            actuals_locked=month in locked and not is_office(user),
        )
        if request.method == "POST" and form.is_valid():
            try:
                new = services.enter_figures(
                    year, unit, form.entries(), reason=form.cleaned_data["reason"], actor=user
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if new:
                    messages.success(
                        request,
                        ngettext("%(n)s figure changed.", "%(n)s figures changed.", len(new))
                        % {"n": len(new)},
                    )
                else:
                    messages.info(request, _("Nothing changed: every figure was as saved."))
                return redirect(_figures_url(year, unit, form.cleaned_data["month"]))
    unit_ids = {key[0] for key in figures} | {unit.pk}
    cells = reports.cells(indicators, figures, unit_ids)[unit.pk]
    return render(
        request,
        "targets/unit_figures.html",
        {
            "year": year,
            "unit": unit,
            "cells": cells,
            "charts": {
                "months": [str(label) for _m, label in month_choices()],
                "actual": _("actual to date"),
                "expected": _("expected by the plan"),
                "indicators": [cell.chart() for cell in cells],
            },
            "months": _month_heads(locked),
            "month": month,
            "month_locked": month in locked,
            "month_options": month_choices(),
            "form": form,
            "deputies": _deputies(year, unit, indicators, office=is_office(user)),
            "can_read_district": access.can_read_district_table(user),
        },
    )


@login_required
def district_figures(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_district_table(request.user, pk)
    indicators = services.indicators_of(year)
    units = list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))
    table = reports.cells(indicators, services.current_figures(year), [u.pk for u in units])
    base = reverse("targets:unit_figures", kwargs={"pk": year.pk, "code": _CODE})
    rows = [{"unit": u, "url": base.replace(_CODE, u.code), "cells": table[u.pk]} for u in units]
    locks = list(MonthLock.objects.filter(year=year).select_related("created_by"))
    office = is_office(request.user)
    return render(
        request,
        "targets/district_figures.html",
        {
            "year": year,
            "indicators": indicators,
            "rows": rows,
            "locks": locks,
            "lock_form": MonthLockForm(locked=[lock.month for lock in locks]) if office else None,
        },
    )


@login_required
@require_POST
def lock_month(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_office(request.user, pk)
    form = MonthLockForm(request.POST, locked=services.locked_months(year))
    if not form.is_valid():
        messages.error(request, _("Choose a month that is not locked yet."))
        return redirect("targets:district_figures", pk=year.pk)
    month = form.cleaned_data["month"]
    try:
        services.lock_month(year, month, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Month %(m)s is locked: from now on only the office corrects it, with a reason.")
            % {"m": month},
        )
    return redirect("targets:district_figures", pk=year.pk)


@login_required
@require_POST
def oversight(request: AuthenticatedRequest, pk: int, post_pk: int) -> HttpResponse:
    year, post = access.get_deputy_post_for_office(request.user, pk, post_pk)
    form = OversightForm(
        request.POST, prefix=f"post-{post.pk}", indicators=services.indicators_of(year)
    )
    if not form.is_valid():
        messages.error(request, _("Choose indicators of the year's scheme."))
    else:
        try:
            services.set_oversight(year, post, form.cleaned_data["indicators"], actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The indicators %(name)s oversees are saved.") % {"name": post.person.name},
            )
    return redirect(_figures_url(year, post.unit))


def _pledges_url(year: CampaignYear, unit: Unit) -> str:
    return reverse("targets:pledges", kwargs={"pk": year.pk, "code": unit.code})


@login_required
@require_http_methods(["GET", "POST"])
def unit_pledges(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    """A unit's published targets (晒目标) and its team's pledges (比担当)."""
    user = request.user
    year, unit = access.get_unit_figures_for_user(user, pk, code)
    can_write = pledge_services.can_write_pledges(user, year, unit)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    form = None
    if can_write:
        form = PledgeForm(request.POST or None, team=pledge_services.team_of_year(year, unit))
        if request.method == "POST" and form.is_valid():
            try:
                pledge_services.add_pledge(year, unit, post=form.cleaned_data["post"],
                                           text=form.cleaned_data["text"], actor=user)  # fmt: skip
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Pledge published."))
                return redirect(_pledges_url(year, unit))
    indicators = services.indicators_of(year)
    figures = services.current_figures(year, [unit])
    targets = reports.cells(indicators, figures, [unit.pk])[unit.pk]
    return render(
        request,
        "targets/pledges.html",
        {
            "year": year,
            "unit": unit,
            "targets": targets,
            "pledges": pledge_services.current_pledges(year, unit),
            "form": form,
            "can_write": can_write,
        },
    )


@login_required
@require_POST
def change_pledge(
    request: AuthenticatedRequest, pk: int, code: str, pledge_pk: int
) -> HttpResponse:
    user = request.user
    year, unit = access.get_unit_figures_for_user(user, pk, code)
    if not pledge_services.can_write_pledges(user, year, unit):
        raise PermissionDenied
    pledge = access.get_pledge(year, unit, pledge_pk)
    form = PledgeChangeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Nothing changed: a correction or a withdrawal needs its reason.")
        )
        return redirect(_pledges_url(year, unit))
    data = form.cleaned_data
    try:
        if data["action"] == "withdraw":
            pledge_services.withdraw_pledge(pledge, reason=data["reason"], actor=user)
            messages.success(request, _("Pledge withdrawn."))
        else:
            pledge_services.correct_pledge(pledge, text=data["text"], reason=data["reason"],
                                           actor=user)  # fmt: skip
            messages.success(request, _("Pledge corrected."))
    except DomainError as error:
        messages.error(request, _("Nothing changed: %(problem)s") % {"problem": error.message})
    return redirect(_pledges_url(year, unit))
