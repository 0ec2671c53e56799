"""Who may read a unit's process records and their files, and the compliance grid.

A unit's records are read by the office, the viewer and the unit's own liaison; another
unit's liaison gets 404, as for the unit itself (sanhao/orgs/access.py), and a judge 403.
A file is fetched only through its record's unit, after the same check. The grid is the
office's and the viewer's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.orgs import access as org_access
from sanhao.orgs.models import Unit
from sanhao.records.models import ProcessRecord, RecordAttachment


def can_read_grid(user: Any) -> bool:
    return is_office(user) or bool(getattr(user, "is_viewer", False))


def get_unit_records_for_user(user: Any, pk: int, code: str) -> tuple[CampaignYear, Unit]:
    """The year and the unit whose records the user may read."""
    org_access.require_roster_reader(user)
    unit = org_access.get_unit_for_user(user, code)
    year = get_year(pk)
    if unit.district_id != year.district_id:
        raise Http404
    return year, unit


def get_record_for_user(user: Any, year: CampaignYear, unit: Unit, record_pk: Any) -> ProcessRecord:
    """A record of the unit and year already checked by `get_unit_records_for_user`."""
    try:
        return ProcessRecord.objects.select_related("year", "unit").get(
            pk=int(record_pk), year=year, unit=unit
        )
    except (ProcessRecord.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def get_attachment_for_user(user: Any, pk: int, code: str, file_pk: int) -> RecordAttachment:
    year, unit = get_unit_records_for_user(user, pk, code)
    try:
        return RecordAttachment.objects.select_related("record").get(
            pk=file_pk, record__year=year, record__unit=unit
        )
    except RecordAttachment.DoesNotExist:
        raise Http404 from None


def get_year_for_grid(user: Any, pk: int) -> CampaignYear:
    if not can_read_grid(user):
        raise PermissionDenied
    return get_year(pk)
