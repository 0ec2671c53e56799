"""Who may read and change a year's scheme: the office; a viewer reads it.

Liaisons and judges get 403; a year or a version that does not exist, 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.rankings.models import SchemeVersion


def can_read_scheme(user: Any) -> bool:
    return is_office(user) or bool(getattr(user, "is_viewer", False))


def get_year_for_scheme_reader(user: Any, pk: int) -> CampaignYear:
    if not can_read_scheme(user):
        raise PermissionDenied
    return get_year(pk)


def get_year_for_scheme_office(user: Any, pk: int) -> CampaignYear:
    if not is_office(user):
        raise PermissionDenied
    return get_year(pk)


def get_scheme_version_for_user(user: Any, pk: int, number: int) -> SchemeVersion:
    if not can_read_scheme(user):
        raise PermissionDenied
    try:
        return SchemeVersion.objects.select_related("year").get(year_id=pk, number=number)
    except SchemeVersion.DoesNotExist:
        raise Http404 from None


def get_year_for_scores_reader(user: Any, pk: int) -> CampaignYear:
    """The district's score runs: the office and the viewer (a liaison reads their own
    unit's lines on the unit page)."""
    return get_year_for_scheme_reader(user, pk)
