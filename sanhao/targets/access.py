"""Who may read and enter a year's figures. Views fetch the year, unit and post only here.

A unit's figures are read by the office, the viewer and the unit's own liaison; another
unit's liaison gets 404, as for the unit itself (sanhao/orgs/access.py), and a judge 403.
The district table is the office's and the viewer's; locking a month and a deputy's 分管
are the office's alone.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.orgs import access as org_access
from sanhao.orgs.models import Post, Role, Unit
from sanhao.targets.models import Pledge


def can_read_district_table(user: Any) -> bool:
    return is_office(user) or bool(getattr(user, "is_viewer", False))


def get_unit_figures_for_user(user: Any, pk: int, code: str) -> tuple[CampaignYear, Unit]:
    """The year and the unit whose figures the user may read."""
    org_access.require_roster_reader(user)
    unit = org_access.get_unit_for_user(user, code)
    year = get_year(pk)
    if unit.district_id != year.district_id:
        raise Http404
    return year, unit


def get_year_for_district_table(user: Any, pk: int) -> CampaignYear:
    if not can_read_district_table(user):
        raise PermissionDenied
    return get_year(pk)


def get_year_for_office(user: Any, pk: int) -> CampaignYear:
    org_access.require_office(user)
    return get_year(pk)


def get_deputy_post_for_office(user: Any, pk: int, post_pk: int) -> tuple[CampaignYear, Post]:
    """A current deputy's post of a unit in the year's district, for the office."""
    year = get_year_for_office(user, pk)
    try:
        post = Post.objects.select_related("person", "unit").get(
            pk=post_pk, role=Role.DEPUTY, end__isnull=True, unit__district_id=year.district_id
        )
    except Post.DoesNotExist:
        raise Http404 from None
    return year, post


def get_pledge(year: CampaignYear, unit: Unit, pledge_pk: int) -> Pledge:
    try:
        return Pledge.objects.select_related("year", "unit", "post__person").get(
            pk=pledge_pk, year=year, unit=unit
        )
    except Pledge.DoesNotExist:
        raise Http404 from None
