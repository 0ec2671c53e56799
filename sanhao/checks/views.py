"""Pages of the spot checks: the year's spot checks with their shortfalls and remedies and
the office's forms; the overdue remedies; a remedy's progress update. Thin: access →
form → service → render or redirect. A liaison sees their own unit's only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.checks import access, services
from sanhao.checks.forms import (
    RemedyUpdateForm,
    ShortfallForm,
    SpotCheckCorrectionForm,
    SpotCheckForm,
)
from sanhao.checks.models import RemedyStatus, RemedyUpdate, Shortfall
from sanhao.lib.errors import DomainError
from sanhao.lib.forms import form_errors
from sanhao.orgs.models import Post
from sanhao.targets.services import indicators_of


@login_required
@require_http_methods(["GET", "POST"])
def check_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year, units = access.get_year_for_user(user, pk)  # 403 for a judge
    office = is_office(user)
    if request.method == "POST" and not office:
        raise PermissionDenied
    indicators = indicators_of(year)
    names = {i.id: i.name for i in indicators}
    form = None
    if office:
        form = SpotCheckForm(request.POST or None, units=units.order_by("order", "code"),
                             indicators=[(i.id, i.name) for i in indicators])  # fmt: skip
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.add_spot_check(
                    year, held_on=data["held_on"], title=data["title"],
                    indicators=data["indicators"], units=data["units"], minutes=data["minutes"],
                    actor=user,
                )  # fmt: skip
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Spot check recorded."))
                return redirect("checks:list", pk=year.pk)
    own = set(units.values_list("pk", flat=True))
    shortfalls = list(
        Shortfall.objects.filter(spot_check__year=year, unit_id__in=own)
        .select_related("unit", "post__person", "remedy__owner__person")
        .order_by("unit__order", "id")
    )
    updates: dict[int, list[RemedyUpdate]] = {}
    for update in (
        RemedyUpdate.objects.filter(remedy__shortfall__in=shortfalls)
        .select_related("created_by")
        .order_by("id")
    ):
        updates.setdefault(update.remedy_id, []).append(update)
    today = timezone.localdate()
    found: dict[int, list[dict[str, Any]]] = {}
    for shortfall in shortfalls:
        remedy = shortfall.remedy
        history = updates.get(remedy.pk, [])
        status = history[-1].status if history else RemedyStatus.OPEN
        allowed = services.allowed_statuses(user, remedy, status, year=year)
        found.setdefault(shortfall.spot_check_id, []).append({
            "shortfall": shortfall, "remedy": remedy, "updates": history,
            "status": RemedyStatus(status).label, "open": status == RemedyStatus.OPEN,
            "overdue": status == RemedyStatus.OPEN and remedy.due_on < today,
            "statuses": [(s, RemedyStatus(s).label if s != status else _("a note only"))
                         for s in allowed],
        })  # fmt: skip
    rows = []
    for check in services.current_spot_checks(year):
        present = [u for u in check.units.all() if u.pk in own]
        mine = [row for pk_ in check.chain for row in found.get(pk_, [])]  # type: ignore[attr-defined]
        if not present and not mine:
            continue
        shortfall_form = None
        if office:
            posts = (
                Post.objects.current().filter(unit__in=check.units.all())
                .select_related("unit", "person").order_by("unit__order", "order")
            )  # fmt: skip
            shortfall_form = ShortfallForm(posts=posts, auto_id=f"id_c{check.pk}_%s")
        rows.append({"check": check, "units": present, "rows": mine, "form": shortfall_form,
                     "indicators": [names.get(i, i) for i in check.indicators]})  # fmt: skip
    return render(request, "checks/list.html",
                  {"year": year, "checks": rows, "form": form, "office": office})  # fmt: skip


@login_required
@require_POST
def add_shortfall(request: AuthenticatedRequest, pk: int, check_pk: int) -> HttpResponse:
    year, _units = access.get_year_for_user(request.user, pk)
    check = access.get_spot_check_for_office(request.user, year, check_pk)
    posts = Post.objects.current().filter(unit__in=check.units.all()).select_related("unit")
    form = ShortfallForm(request.POST, posts=posts)
    if not form.is_valid():
        messages.error(request, _("The shortfall was not saved: %(problems)s")
                       % {"problems": form_errors(form)})  # fmt: skip
        return redirect("checks:list", pk=year.pk)
    data = form.cleaned_data
    try:
        services.add_shortfall(check, data["post"], text=data["text"], measure=data["measure"],
                               due_on=data["due_on"], owner=data["owner"], actor=request.user)  # fmt: skip
    except DomainError as error:
        messages.error(request, _("The shortfall was not saved: %(problems)s")
                       % {"problems": error.message})  # fmt: skip
    else:
        messages.success(request, _("Shortfall and remedy recorded."))
    return redirect("checks:list", pk=year.pk)


@login_required
@require_http_methods(["GET", "POST"])
def correct_spot_check(request: AuthenticatedRequest, pk: int, check_pk: int) -> HttpResponse:
    """The office corrects a spot check: a new row in its place, with the reason."""
    year, units = access.get_year_for_user(request.user, pk)
    check = access.get_spot_check_for_office(request.user, year, check_pk)
    newer = services.current_spot_checks(year)
    if all(c.pk != check.pk for c in newer):
        messages.error(request, _("This spot check was already corrected: correct its correction."))
        return redirect("checks:list", pk=year.pk)
    indicators = [(i.id, i.name) for i in indicators_of(year)]
    initial = {"held_on": check.held_on, "title": check.title, "indicators": check.indicators,
               "units": list(check.units.all()), "minutes": check.minutes}  # fmt: skip
    form = SpotCheckCorrectionForm(request.POST or None, initial=initial,
                                   units=units.order_by("order", "code"), indicators=indicators)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_spot_check(
                check, reason=data["reason"], held_on=data["held_on"], title=data["title"],
                indicators=data["indicators"], units=data["units"], minutes=data["minutes"],
                actor=request.user,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Spot check corrected."))
            return redirect("checks:list", pk=year.pk)
    return render(request, "checks/correct.html", {"year": year, "check": check, "form": form})


@login_required
@require_GET
def overdue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year, units = access.get_year_for_user(user, pk)
    today = timezone.localdate()
    remedies = services.overdue_remedies(
        year, units if getattr(user, "is_liaison", False) else None, today=today
    )
    rows = [{"remedy": r, "days": (today - r.due_on).days} for r in remedies]
    return render(request, "checks/overdue.html", {"year": year, "rows": rows, "today": today})


@login_required
@require_POST
def update_remedy(request: AuthenticatedRequest, pk: int, remedy_pk: int) -> HttpResponse:
    user = request.user
    year, _units = access.get_year_for_user(user, pk)
    remedy = access.get_remedy_for_writer(user, year, remedy_pk)
    statuses = [(s, s) for s in services.allowed_statuses(user, remedy, year=year)]
    form = RemedyUpdateForm(request.POST, statuses=statuses)
    if not form.is_valid():
        messages.error(request, _("The update was not saved: %(problems)s")
                       % {"problems": form_errors(form)})  # fmt: skip
    else:
        try:
            services.update_remedy(remedy, status=form.cleaned_data["status"],
                                   note=form.cleaned_data["note"], actor=user)  # fmt: skip
        except DomainError as error:
            messages.error(request, _("The update was not saved: %(problems)s")
                           % {"problems": error.message})  # fmt: skip
        else:
            messages.success(request, _("Remedy updated."))
    if request.POST.get("next") == "overdue":
        return redirect("checks:overdue", pk=year.pk)
    return redirect("checks:list", pk=year.pk)
