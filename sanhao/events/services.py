"""Entering and withdrawing the events that move scores, and giving them to the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.events.models import ScoreEvent, Withdrawal
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, Unit
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.scoring.scheme import Scheme


def items_of(scheme: Scheme) -> dict[str, dict[str, str]]:
    """{kind: {item id: name}} of the scheme's bonus and deduction items and veto kinds."""
    return {
        ScoreEvent.Kind.BONUS: {i.id: i.name for i in scheme.bonus_items},
        ScoreEvent.Kind.DEDUCTION: {i.id: i.name for i in scheme.deduction_items},
        ScoreEvent.Kind.VETO: dict(scheme.veto_kinds),
    }


@transaction.atomic
def add_event(
    year: CampaignYear,
    unit: Unit,
    *,
    kind: str,
    item: str,
    happened_on: dt.date,
    note: str,
    post: Post | None = None,
    count: int = 1,
    evidence: str = "",
    actor: Any,
) -> ScoreEvent:
    require_office_actor(actor)
    if unit.district_id != year.district_id:
        raise DomainError(_("This unit is not in the campaign year's district."))
    known = items_of(check_scheme(current_scheme(year).source))
    if kind not in known:
        raise DomainError(_("Unknown kind of event: %(kind)s") % {"kind": kind})
    if item not in known[kind]:
        raise DomainError(_("The year's scheme has no such item: %(item)s") % {"item": item})
    if happened_on.year != year.year:
        raise DomainError(_("The event must have happened in %(year)s.") % {"year": year.year})
    if post is not None:
        if post.unit_id != unit.pk:
            raise DomainError(_("This post is not in the unit."))
        if post.start > happened_on or (post.end is not None and post.end <= happened_on):
            raise DomainError(_("The person did not hold this post on that day."))
    if not 1 <= count <= 1000:
        raise DomainError(_("The count must be from 1 to 1000."))
    if not note.strip():
        raise DomainError(_("Say what happened."))
    event = ScoreEvent.objects.create(
        year=year, kind=kind, item=item, unit=unit, post=post, count=count,
        happened_on=happened_on, note=note.strip()[:500], evidence=evidence.strip()[:500],
        created=timezone.now(), created_by=actor,
    )  # fmt: skip
    record(
        "events.event.add",
        actor=actor,
        obj=event,
        data={"year": year.year, "kind": kind, "item": item, "unit": unit.code,
              "post": post.pk if post else None, "count": count, "on": happened_on},
    )  # fmt: skip
    return event


@transaction.atomic
def withdraw_event(event: ScoreEvent, *, reason: str, actor: Any) -> Withdrawal:
    require_office_actor(actor)
    if not reason.strip():
        raise DomainError(_("A withdrawal needs a reason."))
    if Withdrawal.objects.filter(event=event).exists():
        raise DomainError(_("This event is already withdrawn."))
    withdrawal = Withdrawal.objects.create(
        event=event, reason=reason.strip()[:500], created=timezone.now(), created_by=actor
    )
    record("events.event.withdraw", actor=actor, obj=event, data={"reason": reason.strip()})
    return withdrawal


def facts_events(year: CampaignYear, candidate_of: Any) -> dict[str, list[dict[str, Any]]]:
    """The engine's bonuses, deductions and vetoes of the year's standing events, in one
    query. `candidate_of(unit code, post)` names the candidate a person's event concerns
    (None when the person is not a candidate on the facts' day: the event is left out)."""
    bonuses: list[dict[str, Any]] = []
    deductions: list[dict[str, Any]] = []
    vetoes: list[dict[str, Any]] = []
    events = (
        ScoreEvent.objects.filter(year=year, withdrawal__isnull=True)
        .select_related("unit", "post", "post__person")
        .order_by("id")
    )
    for event in events:
        note = event.note[:2000]
        if event.kind == ScoreEvent.Kind.VETO:
            if event.post is None:
                vetoes.append({"unit": event.unit.code, "kind": event.item, "note": note})
            elif (candidate := candidate_of(event.unit.code, event.post)) is not None:
                vetoes.append({"candidate": candidate, "kind": event.item, "note": note})
            continue
        candidate = (
            f"T-{event.unit.code}"
            if event.post is None
            else candidate_of(event.unit.code, event.post)
        )
        if candidate is None:
            continue
        line = {"candidate": candidate, "item": event.item, "count": event.count, "note": note}
        (bonuses if event.kind == ScoreEvent.Kind.BONUS else deductions).append(line)
    return {"bonuses": bonuses, "deductions": deductions, "vetoes": vetoes}
