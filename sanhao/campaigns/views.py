from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.audit.services import chain_head
from sanhao.campaigns import services
from sanhao.campaigns.access import current_campaign, get_campaign_for_office
from sanhao.campaigns.models import CampaignYear, Phase
from sanhao.lib.errors import DomainError
from sanhao.orgs import access as org_access
from sanhao.orgs import queries as org_queries

HOME_UNITS = 100  # the rest are a click away, on the paginated unit list


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    campaign = current_campaign()
    units = None
    unit_count = 0
    if org_access.can_read_roster(user):
        scope = org_access.units_for_user(user)
        unit_count = scope.count()
        ids = scope.values("id").query.sql_with_params()
        units = org_queries.unit_rows(ids, offset=0, limit=HOME_UNITS)
    phases = []
    if campaign is not None:
        phases = [
            {
                "label": phase.label,
                "done": i < campaign.phase_index,
                "now": i == campaign.phase_index,
            }
            for i, phase in enumerate(Phase)
        ]
    head = chain_head() if user.is_office else None
    return render(
        request,
        "campaigns/home.html",
        {
            "campaign": campaign,
            "phases": phases,
            "units": units,
            "unit_count": unit_count,
            "more_units": unit_count > HOME_UNITS,
            "chain_head": head,
        },
    )


@login_required
@require_POST
def advance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_office(request.user, pk)
    try:
        campaign = services.advance_phase(
            campaign, to=request.POST.get("to", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        seq, head = chain_head()
        messages.success(
            request,
            _(
                "%(title)s is now in the phase: %(phase)s. Audit chain head: #%(seq)s %(hash)s "
                "— write it down outside the system (verify_audit --head %(seq)s:%(hash)s)."
            )
            % {
                "title": campaign.display_title,
                "phase": Phase(campaign.phase).label,
                "seq": seq,
                "hash": head,
            },
        )
    return redirect("home")


class OpenYearForm(forms.Form):
    year = forms.IntegerField(label=_lazy("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_lazy("Title (optional)"), max_length=200, required=False,
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        example = CampaignYear(year=self.initial["year"]).display_title  # a year's default title
        self.fields["title"].help_text = _("Empty: “%(title)s”.") % {"title": example}


@login_required
@require_http_methods(["GET", "POST"])
def open_year(request: AuthenticatedRequest) -> HttpResponse:
    """The office opens the next campaign year: its phase is 制定计划 and its scheme
    starts as the engine's default, to be set on the scheme page."""
    if not request.user.is_office:
        raise PermissionDenied
    newest = current_campaign()
    initial = {"year": (newest.year + 1) if newest else timezone.localdate().year}
    form = OpenYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.open_next_year(form.cleaned_data["year"],
                                               title=form.cleaned_data["title"],
                                               actor=request.user)  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(title)s is open. Set its scheme next.")
                             % {"title": campaign.display_title})  # fmt: skip
            return redirect("rankings:scheme", pk=campaign.pk)
    return render(request, "campaigns/open_year.html", {"form": form, "newest": newest})
