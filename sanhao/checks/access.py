"""Who may read the spot checks and remedies of a year, and update a remedy.

The office and the viewer read every unit's; a liaison reads what concerns their own
unit only, and another unit's remedy answers 404; a judge gets 403. A remedy is updated
by the office or by its unit's liaison.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.checks.models import Remedy, SpotCheck
from sanhao.orgs import access as org_access
from sanhao.orgs.models import Unit


def get_year_for_user(user: Any, pk: int) -> tuple[CampaignYear, QuerySet[Unit]]:
    """The year and the units of its district the user may read (403 for a judge)."""
    units = org_access.units_for_user(user)
    year = get_year(pk)
    return year, units.filter(district_id=year.district_id)


def get_spot_check_for_office(user: Any, year: CampaignYear, check_pk: int) -> SpotCheck:
    if not is_office(user):
        raise PermissionDenied
    try:
        return SpotCheck.objects.get(pk=check_pk, year=year)
    except SpotCheck.DoesNotExist:
        raise Http404 from None


def get_remedy_for_writer(user: Any, year: CampaignYear, remedy_pk: int) -> Remedy:
    """A remedy of the year the user may update: the office any, a liaison their unit's."""
    if not (is_office(user) or getattr(user, "is_liaison", False)):
        raise PermissionDenied
    rows = Remedy.objects.select_related("shortfall").filter(shortfall__spot_check__year=year)
    if not is_office(user):
        rows = rows.filter(shortfall__unit_id=user.unit_id)
    try:
        return rows.get(pk=remedy_pk)
    except Remedy.DoesNotExist:
        raise Http404 from None
