"""Who may see and do what at the end of the year: the office does everything; a viewer
(the district's leaders) reads. Liaisons and judges are refused (403); an object of
another year, 404. The public notice has its own pages (public.py)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from sanhao.awards.models import Award, CareerEvent, Decision, Deliberation, Notice, Snapshot
from sanhao.campaigns.models import CampaignYear
from sanhao.rankings.access import get_year_for_scheme_office, get_year_for_scheme_reader

_M = TypeVar("_M", bound=models.Model)


def year_for_reader(user: Any, pk: int) -> CampaignYear:
    return get_year_for_scheme_reader(user, pk)


def year_for_office(user: Any, pk: int) -> CampaignYear:
    return get_year_for_scheme_office(user, pk)


def _of_year(queryset: models.QuerySet[_M], pk: int, **year: Any) -> _M:
    try:
        return queryset.get(pk=pk, **year)
    except ObjectDoesNotExist:
        raise Http404 from None


def snapshot(year: CampaignYear, pk: int) -> Snapshot:
    return _of_year(Snapshot.objects.select_related("run", "run__scheme_version"), pk, year=year)


def deliberation(year: CampaignYear, pk: int) -> Deliberation:
    return _of_year(Deliberation.objects.select_related("snapshot"), pk, snapshot__year=year)


def notice(year: CampaignYear, pk: int) -> Notice:
    return _of_year(
        Notice.objects.select_related("deliberation__snapshot"), pk,
        deliberation__snapshot__year=year,
    )  # fmt: skip


def decision(year: CampaignYear, pk: int) -> Decision:
    return _of_year(
        Decision.objects.select_related("notice__deliberation__snapshot"), pk,
        notice__deliberation__snapshot__year=year,
    )  # fmt: skip


def award(year: CampaignYear, pk: int) -> Award:
    return _of_year(Award.objects.select_related("decision", "unit"), pk, year=year)


def career_event(year: CampaignYear, pk: int) -> CareerEvent:
    return _of_year(CareerEvent.objects.select_related("award__unit"), pk, award__year=year)
