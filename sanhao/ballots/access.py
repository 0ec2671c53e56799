"""Who may see the ballot sessions of a year.

The office prepares, opens and closes them and sees their turnout and, once sealed, their
count; the viewer reads the same; liaisons and judges are refused (403): a unit's liaison
must not watch its own unit's turnout. Voters need no account: the voting pages take a
code, never a login.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.ballots.models import BallotSession, CodeBatch, PaperRun
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear


def can_read(user: Any) -> bool:
    return is_office(user) or bool(getattr(user, "is_viewer", False))


def get_year_for_reader(user: Any, pk: int) -> CampaignYear:
    if not can_read(user):
        raise PermissionDenied
    return get_year(pk)


def get_year_for_office(user: Any, pk: int) -> CampaignYear:
    if not is_office(user):
        raise PermissionDenied
    return get_year(pk)


def get_session(year: CampaignYear, session_pk: int) -> BallotSession:
    try:
        return BallotSession.objects.select_related("year", "unit").get(pk=session_pk, year=year)
    except BallotSession.DoesNotExist:
        raise Http404 from None


def get_session_for_office(user: Any, pk: int, session_pk: int) -> BallotSession:
    """A session of the year for the office to change: 403 for anyone else, 404 for a
    session of another year."""
    return get_session(get_year_for_office(user, pk), session_pk)


def get_session_for_reader(user: Any, pk: int, session_pk: int) -> BallotSession:
    return get_session(get_year_for_reader(user, pk), session_pk)


def get_batch(session: BallotSession, batch_pk: int) -> CodeBatch:
    try:
        return CodeBatch.objects.select_related("group", "session").get(
            pk=batch_pk, session=session
        )
    except CodeBatch.DoesNotExist:
        raise Http404 from None


def get_paper_run(session: BallotSession, run_pk: int) -> PaperRun:
    try:
        return PaperRun.objects.select_related("group", "session__year").get(
            pk=run_pk, session=session
        )
    except PaperRun.DoesNotExist:
        raise Http404 from None
