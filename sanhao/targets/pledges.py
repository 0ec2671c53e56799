"""A unit's pledges (比担当): written, corrected and withdrawn as new rows.

The office and the unit's own liaison write them; the liaison until the year reaches
the evaluation, as for the rest of the year's record. A pledge names a member of the
unit's team in post during the year, or no one (the team as a whole). Every write is
one transaction with its audit entry.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import is_office
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, Unit
from sanhao.targets.models import Pledge

TEXT_MAX = 500
REASON_MAX = 200


def can_write_pledges(actor: Any, year: CampaignYear, unit: Unit) -> bool:
    if is_office(actor):
        return True
    return bool(
        getattr(actor, "is_liaison", False)
        and actor.unit_id == unit.pk
        and not year.closed_to_liaisons
    )


def _require_writer(actor: Any, year: CampaignYear, unit: Unit) -> None:
    if is_office(actor):
        return
    if not (getattr(actor, "is_liaison", False) and actor.unit_id == unit.pk):
        raise DomainError(_("You may only write the pledges of your own unit."))
    if year.closed_to_liaisons:
        raise DomainError(
            _("The year has reached the evaluation: ask the campaign office to change pledges.")
        )


def team_of_year(year: CampaignYear, unit: Unit) -> QuerySet[Post]:
    """The unit's posts held at some time in the year: who may pledge."""
    return (
        Post.objects.during_year(year.year)
        .filter(unit=unit)
        .select_related("person")
        .order_by("order", "start", "id")
    )


def current_pledges(year: CampaignYear, unit: Unit) -> list[Pledge]:
    """The unit's current pledges, one query, the team's first, then by member."""
    return list(
        Pledge.objects.filter(year=year, unit=unit, superseded_by__isnull=True, withdrawn=False)
        .select_related("post__person", "created_by")
        .order_by(F("post__order").asc(nulls_first=True), "post__start", "id")
    )


def _text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise DomainError(_("Write the pledge."))
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("A pledge has at most %(n)s characters (this one has %(m)s).")
            % {"n": TEXT_MAX, "m": len(text)}
        )
    return text


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if not reason:
        raise DomainError(_("A correction needs a reason."))
    return reason


def _lock(pledge: Pledge) -> Pledge:
    pledge = Pledge.objects.select_for_update().select_related("year", "unit").get(pk=pledge.pk)
    if Pledge.objects.filter(supersedes=pledge).exists() or pledge.withdrawn:
        raise DomainError(_("This pledge has been corrected or withdrawn already."))
    return pledge


def _audit(pledge: Pledge) -> dict[str, Any]:
    return {
        "year": pledge.year.year,
        "unit": pledge.unit.code,
        "member": pledge.post.person.code if pledge.post else None,
        "text": pledge.text,
    }


@transaction.atomic
def add_pledge(
    year: CampaignYear, unit: Unit, *, post: Post | None, text: str, actor: Any
) -> Pledge:
    _require_writer(actor, year, unit)
    if unit.district_id != year.district_id:
        raise DomainError(_("This unit is not in the campaign year's district."))
    if post is not None and not team_of_year(year, unit).filter(pk=post.pk).exists():
        raise DomainError(_("%(name)s is not in the unit's team this year.")
                          % {"name": post.person.name})  # fmt: skip
    pledge = Pledge.objects.create(year=year, unit=unit, post=post, text=_text(text),
                                   created=timezone.now(), created_by=actor)  # fmt: skip
    record("targets.pledge.add", actor=actor, obj=pledge, data=_audit(pledge))
    return pledge


@transaction.atomic
def correct_pledge(pledge: Pledge, *, text: str, reason: str, actor: Any) -> Pledge:
    _require_writer(actor, pledge.year, pledge.unit)
    text, reason = _text(text), _reason(reason)
    old = _lock(pledge)
    new = Pledge.objects.create(year=old.year, unit=old.unit, post=old.post, text=text,
                                supersedes=old, reason=reason, created=timezone.now(),
                                created_by=actor)  # fmt: skip
    record("targets.pledge.correct", actor=actor, obj=new,
           data={**_audit(new), "corrects": old.pk, "reason": reason})  # fmt: skip
    return new


@transaction.atomic
def withdraw_pledge(pledge: Pledge, *, reason: str, actor: Any) -> Pledge:
    _require_writer(actor, pledge.year, pledge.unit)
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if not reason:
        raise DomainError(_("Withdrawing a pledge needs a reason."))
    old = _lock(pledge)
    row = Pledge.objects.create(year=old.year, unit=old.unit, post=old.post, text=old.text,
                                supersedes=old, withdrawn=True, reason=reason,
                                created=timezone.now(), created_by=actor)  # fmt: skip
    record("targets.pledge.withdraw", actor=actor, obj=old,
           data={**_audit(old), "reason": reason})  # fmt: skip
    return row
