"""The year's score events: the office enters and withdraws; readers read (a liaison,
their own unit's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.events import services
from sanhao.events.forms import EventForm, WithdrawForm
from sanhao.events.models import ScoreEvent
from sanhao.lib.errors import DomainError
from sanhao.orgs import access as org_access
from sanhao.orgs.models import Post
from sanhao.rankings.services import check_scheme, current_scheme


@login_required
@require_http_methods(["GET", "POST"])
def event_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    units = org_access.units_for_user(request.user)  # 403 for a judge
    year = get_year(pk)
    units = units.filter(district_id=year.district_id)
    items = services.items_of(check_scheme(current_scheme(year).source))
    office = is_office(request.user)
    form = None
    if office:
        posts = (
            Post.objects.current().filter(unit__district_id=year.district_id)
            .select_related("unit", "person").order_by("unit__order", "order")
        )  # fmt: skip
        form = EventForm(request.POST or None, items=items, units=units, posts=posts)
        if request.method == "POST" and form.is_valid():
            kind, item = form.kind_and_item()
            data = form.cleaned_data
            try:
                services.add_event(
                    year, data["unit"], kind=kind, item=item, post=data["post"],
                    count=data["count"], happened_on=data["happened_on"], note=data["note"],
                    evidence=data["evidence"], actor=request.user,
                )  # fmt: skip
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Event entered."))
                return redirect("events:list", pk=year.pk)
    elif request.method == "POST":
        raise PermissionDenied
    names = {kind: named for kind, named in items.items()}
    events = (
        ScoreEvent.objects.filter(year=year, unit__in=units)
        .select_related("unit", "post__person", "withdrawal", "created_by")
        .order_by("-happened_on", "-id")
    )
    rows = [
        {"event": e, "item": names.get(e.kind, {}).get(e.item, e.item),
         "withdrawal": getattr(e, "withdrawal", None)}
        for e in events
    ]  # fmt: skip
    return render(
        request,
        "events/list.html",
        {"year": year, "rows": rows, "form": form, "withdraw": WithdrawForm(), "office": office},
    )


@login_required
@require_POST
def withdraw(request: AuthenticatedRequest, pk: int, event_pk: int) -> HttpResponse:
    if not is_office(request.user):
        raise PermissionDenied
    try:
        event = ScoreEvent.objects.get(pk=event_pk, year_id=pk)
    except ScoreEvent.DoesNotExist:
        raise Http404 from None
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A withdrawal needs a reason."))
    else:
        try:
            services.withdraw_event(event, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Event withdrawn; it stays in the record."))
    return redirect("events:list", pk=pk)
