"""Opening a campaign year and moving it through its phases."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import NEXT_PHASE, CampaignYear, Phase
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import District
from sanhao.rankings.services import start_scheme


@transaction.atomic
def open_campaign_year(
    district: District, year: int, *, title: str = "", actor: Any
) -> CampaignYear:
    require_office_actor(actor)
    if CampaignYear.objects.filter(district=district, year=year).exists():
        raise DomainError(_("The campaign year %(year)s is already open.") % {"year": year})
    campaign = CampaignYear.objects.create(
        district=district,
        year=year,
        title=title,
        phase=Phase.PLAN,
        phase_changed=timezone.now(),
    )
    record("campaigns.year.open", actor=actor, obj=campaign, data={"year": year})
    start_scheme(campaign, actor=actor)  # the engine's default, set to the year
    return campaign


@transaction.atomic
def open_next_year(year: int, *, title: str = "", actor: Any) -> CampaignYear:
    """The office opens a new campaign year from its page: in the district, after the
    newest year has been decided (the pages follow the newest year, so an undecided one
    would drop out of sight), and only a later year."""
    require_office_actor(actor)
    district = District.objects.order_by("pk").first()
    if district is None:
        raise DomainError(_("There is no district yet: import the roster first."))
    newest = CampaignYear.objects.filter(district=district).order_by("-year").first()
    if newest is not None and newest.phase != Phase.DECIDED:
        raise DomainError(
            _("%(title)s has not been decided yet: open the next year after its award "
              "decision.") % {"title": newest.display_title}
        )  # fmt: skip
    if newest is not None and year <= newest.year:
        raise DomainError(_("The new year must come after %(year)s.") % {"year": newest.year})
    return open_campaign_year(district, year, title=title, actor=actor)


@transaction.atomic
def advance_phase(campaign: CampaignYear, *, to: str, actor: Any) -> CampaignYear:
    """Move the year to the next phase. `to` must be that next phase: a stale form fails."""
    require_office_actor(actor)
    campaign = CampaignYear.objects.select_for_update().get(pk=campaign.pk)
    allowed = NEXT_PHASE.get(campaign.phase)
    if allowed is None:
        raise DomainError(_("This campaign year is decided; its phase cannot change."))
    if to != allowed:
        raise DomainError(
            _("The phase can only move from %(current)s to %(next)s.")
            % {"current": Phase(campaign.phase).label, "next": Phase(allowed).label}
        )
    old = campaign.phase
    campaign.phase = to
    campaign.phase_changed = timezone.now()
    campaign.save(update_fields=["phase", "phase_changed"])
    record("campaigns.year.advance", actor=actor, obj=campaign, data={"from": old, "to": to})
    return campaign
