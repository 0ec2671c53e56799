"""Who may open the panel pages.

The office sets sessions up, follows their progress and reads the results after the
close, never a score before it. A judge opens the sessions they are assigned to, once
they are open (another session answers 404). Liaisons and viewers get 403 everywhere.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.panels.models import PanelJudge, PanelSession, SheetVersion, State


def is_judge(user: Any) -> bool:
    return bool(getattr(user, "is_judge", False))


def get_year_for_office(user: Any, pk: int) -> CampaignYear:
    if not is_office(user):
        raise PermissionDenied
    return get_year(pk)


def get_session_for_office(user: Any, session_pk: int) -> PanelSession:
    if not is_office(user):
        raise PermissionDenied
    try:
        return PanelSession.objects.select_related("year", "created_by").get(pk=session_pk)
    except PanelSession.DoesNotExist:
        raise Http404 from None


def require_judge(user: Any) -> None:
    if not is_judge(user):
        raise PermissionDenied


def get_seat_for_judge(user: Any, session_pk: int) -> PanelJudge:
    """The judge's seat in a session they are assigned to, open or closed (the session
    with it); a session in preparation or of others answers 404."""
    require_judge(user)
    try:
        return (
            PanelJudge.objects.select_related("session", "session__year", "judge")
            .prefetch_related("abstains")
            .exclude(session__state=State.DRAFT)
            .get(session_id=session_pk, judge=user)
        )
    except PanelJudge.DoesNotExist:
        raise Http404 from None


def get_version_for_office(user: Any, session: PanelSession, version_pk: int) -> SheetVersion:
    if not is_office(user):
        raise PermissionDenied
    try:
        return SheetVersion.objects.select_related("judge").get(pk=version_pk, session=session)
    except SheetVersion.DoesNotExist:
        raise Http404 from None
