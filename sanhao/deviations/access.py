"""Who may read the deviations of a year, raise one, and update one.

The office and the viewer read every unit's; a liaison reads their own unit's only, and
another unit's deviation (or its file) answers 404; a judge gets 403. The office raises
them; a deviation is updated by the office or by its unit's liaison.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.deviations.models import Deviation, DeviationUpdate
from sanhao.orgs import access as org_access
from sanhao.orgs.models import Unit


def get_year_for_user(user: Any, pk: int) -> tuple[CampaignYear, QuerySet[Unit]]:
    """The year and the units of its district the user may read (403 for a judge)."""
    units = org_access.units_for_user(user)
    year = get_year(pk)
    return year, units.filter(district_id=year.district_id)


def get_year_for_office(user: Any, pk: int) -> CampaignYear:
    if not is_office(user):
        raise PermissionDenied
    return get_year(pk)


def get_deviation_for_user(user: Any, year: CampaignYear, deviation_pk: int) -> Deviation:
    """A deviation of the year the user may read: the office and the viewer any, a
    liaison their own unit's."""
    org_access.require_roster_reader(user)
    rows = Deviation.objects.select_related("unit", "year", "record", "created_by")
    rows = rows.filter(year=year)
    if getattr(user, "is_liaison", False):
        rows = rows.filter(unit_id=user.unit_id)
    try:
        return rows.get(pk=deviation_pk)
    except Deviation.DoesNotExist:
        raise Http404 from None


def get_deviation_for_writer(user: Any, year: CampaignYear, deviation_pk: int) -> Deviation:
    if not (is_office(user) or getattr(user, "is_liaison", False)):
        raise PermissionDenied
    return get_deviation_for_user(user, year, deviation_pk)


def get_file_for_user(
    user: Any, year: CampaignYear, deviation_pk: int, update_pk: int
) -> DeviationUpdate:
    deviation = get_deviation_for_user(user, year, deviation_pk)
    try:
        return DeviationUpdate.objects.exclude(stored_name="").get(
            pk=update_pk, deviation=deviation
        )
    except DeviationUpdate.DoesNotExist:
        raise Http404 from None
