"""Who may read the projects of a year, and fetch one.

The office and the viewer read every unit's projects and the district ranking; a
liaison reads their own unit's projects only (another unit's project, milestone or
file answers 404) and not the ranking, which names every unit; a judge gets 403.
Who may write is the services' `can_write`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.orgs import access as org_access
from sanhao.orgs.models import Unit
from sanhao.projects.models import Evidence, Milestone, Project


def can_read_ranking(user: Any) -> bool:
    return is_office(user) or bool(getattr(user, "is_viewer", False))


def get_year_for_user(user: Any, pk: int) -> tuple[CampaignYear, QuerySet[Unit]]:
    """The year and the units of its district the user may read (403 for a judge)."""
    units = org_access.units_for_user(user)
    year = get_year(pk)
    return year, units.filter(district_id=year.district_id)


def get_unit_for_user(user: Any, pk: int, code: str) -> tuple[CampaignYear, Unit]:
    org_access.require_roster_reader(user)
    unit = org_access.get_unit_for_user(user, code)
    year = get_year(pk)
    if unit.district_id != year.district_id:
        raise Http404
    return year, unit


def get_project_for_user(user: Any, pk: int, project_pk: int) -> Project:
    year, units = get_year_for_user(user, pk)
    try:
        return Project.objects.select_related("year", "unit").get(
            pk=project_pk, year=year, unit__in=units
        )
    except Project.DoesNotExist:
        raise Http404 from None


def get_milestone_for_user(user: Any, pk: int, milestone_pk: int) -> Milestone:
    year, units = get_year_for_user(user, pk)
    try:
        return Milestone.objects.select_related("project__year", "project__unit").get(
            pk=milestone_pk, project__year=year, project__unit__in=units
        )
    except Milestone.DoesNotExist:
        raise Http404 from None


def get_evidence_for_user(user: Any, pk: int, evidence_pk: int) -> Evidence:
    year, units = get_year_for_user(user, pk)
    try:
        return Evidence.objects.get(
            pk=evidence_pk,
            update__milestone__project__year=year,
            update__milestone__project__unit__in=units,
        )
    except Evidence.DoesNotExist:
        raise Http404 from None


def get_year_for_ranking(user: Any, pk: int) -> CampaignYear:
    if not can_read_ranking(user):
        raise PermissionDenied
    return get_year(pk)
