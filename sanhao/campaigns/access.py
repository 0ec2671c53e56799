from __future__ import annotations

from typing import Any

from django.http import Http404

from sanhao.campaigns.models import CampaignYear
from sanhao.orgs.access import require_office


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
