from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.models import CampaignYear
from sanhao.orgs.access import require_office
from sanhao.orgs.models import Unit


def current_campaign() -> CampaignYear | None:
    """The newest campaign year: every signed-in account may read its phase."""
    return CampaignYear.objects.select_related("district").order_by("-year").first()


def get_year(pk: int) -> CampaignYear:
    """A campaign year by its id (404 when there is none); each app checks the role."""
    try:
        return CampaignYear.objects.select_related("district").get(pk=pk)
    except CampaignYear.DoesNotExist:
        raise Http404 from None


def get_campaign_for_office(user: Any, pk: int) -> CampaignYear:
    require_office(user)
    return get_year(pk)


def get_year_for_importer(user: Any, pk: int) -> CampaignYear:
    """A year whose Excel templates and imports the user may use: the office, for every
    unit, and a liaison, for their own (`unit_scope`); nobody else (403)."""
    if not (is_office(user) or getattr(user, "is_liaison", False)):
        raise PermissionDenied
    return get_year(pk)


def unit_scope(user: Any, year: CampaignYear, code: str | None) -> Unit | None:
    """The one unit a template or an import is for: a liaison's own (another code: 404);
    for the office the unit of the year's district named by `code`, or None for the
    whole district."""
    if not is_office(user):
        unit = user.unit
        if unit is None or unit.district_id != year.district_id or (code and code != unit.code):
            raise Http404
        return unit
    if not code:
        return None
    try:
        return Unit.objects.get(code=code, district_id=year.district_id)
    except Unit.DoesNotExist:
        raise Http404 from None


def units_in_scope(year: CampaignYear, unit: Unit | None) -> list[Unit]:
    """`unit` alone, or every unit of the year's district in their order."""
    if unit is not None:
        return [unit]
    return list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))
