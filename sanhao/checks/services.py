"""Recording spot checks, their shortfalls and remedies, and the remedies' progress.

Every write is atomic and leaves one audit entry. The office records spot checks,
corrects them (a new row, with a reason), and enters each shortfall with its remedy; a
unit's liaison adds progress to their own unit's remedies (a note, or done with its
evidence) and never creates, drops or edits anything. Who may move a remedy from which
status to which is the table `TRANSITIONS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import is_office, require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.checks.models import Remedy, RemedyStatus, RemedyUpdate, Shortfall, SpotCheck
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, Unit
from sanhao.targets.services import indicators_of

OPEN, DONE, DROPPED = RemedyStatus.OPEN, RemedyStatus.DONE, RemedyStatus.DROPPED
OFFICE, LIAISON = "office", "liaison"

# (from, to) → who may: a note keeps a remedy open; done needs its evidence; only the
# office drops a remedy (with a reason) or reopens a done one. A dropped remedy stays so.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (OPEN, OPEN): {OFFICE, LIAISON},
    (OPEN, DONE): {OFFICE, LIAISON},
    (OPEN, DROPPED): {OFFICE},
    (DONE, OPEN): {OFFICE},
}
TEXT_MAX = 500


def _clean(text: str, limit: int = TEXT_MAX) -> str:
    return " ".join((text or "").split())[:limit]


def is_liaison_of(actor: Any, unit_id: int) -> bool:
    return bool(getattr(actor, "is_liaison", False) and actor.unit_id == unit_id)


def _check_meeting(
    year: CampaignYear, held_on: dt.date, title: str, indicators: Iterable[str], units: list[Unit]
) -> list[str]:
    if held_on.year != year.year:
        raise DomainError(_("The spot check must be held in %(year)s.") % {"year": year.year})
    if held_on > timezone.localdate():
        raise DomainError(_("The spot check cannot be held after today."))
    if not _clean(title):
        raise DomainError(_("Give the spot check a title."))
    known = [i.id for i in indicators_of(year)]
    chosen = list(dict.fromkeys(indicators))
    unknown = [i for i in chosen if i not in known]
    if unknown:
        raise DomainError(
            _("The year's scheme has no such indicator: %(ids)s") % {"ids": ", ".join(unknown)}
        )
    if not units:
        raise DomainError(_("Name the units present."))
    if any(unit.district_id != year.district_id for unit in units):
        raise DomainError(_("This unit is not in the campaign year's district."))
    return [i for i in known if i in chosen]  # in the scheme's order


def _audit_data(check: SpotCheck, units: list[Unit]) -> dict[str, Any]:
    return {"year": check.year.year, "on": check.held_on, "title": check.title,
            "indicators": check.indicators, "units": sorted(u.code for u in units),
            "minutes": check.minutes}  # fmt: skip


@transaction.atomic
def add_spot_check(
    year: CampaignYear,
    *,
    held_on: dt.date,
    title: str,
    indicators: Iterable[str],
    units: Iterable[Unit],
    minutes: str = "",
    actor: Any,
) -> SpotCheck:
    require_office_actor(actor)
    units = list(units)
    ids = _check_meeting(year, held_on, title, indicators, units)
    check = SpotCheck.objects.create(
        year=year, held_on=held_on, title=_clean(title, 200), indicators=ids,
        minutes=(minutes or "").strip()[:5000], created=timezone.now(), created_by=actor,
    )  # fmt: skip
    check.units.set(units)
    record("checks.spot_check.add", actor=actor, obj=check, data=_audit_data(check, units))
    return check


@transaction.atomic
def correct_spot_check(
    check: SpotCheck,
    *,
    reason: str,
    held_on: dt.date,
    title: str,
    indicators: Iterable[str],
    units: Iterable[Unit],
    minutes: str = "",
    actor: Any,
) -> SpotCheck:
    """A new row that supersedes `check`; the shortfalls found stay, and belong to it too."""
    require_office_actor(actor)
    if not _clean(reason):
        raise DomainError(_("A correction needs a reason."))
    check = SpotCheck.objects.select_for_update().get(pk=check.pk)
    if SpotCheck.objects.filter(supersedes=check).exists():
        raise DomainError(_("This spot check was already corrected: correct its correction."))
    units = list(units)
    ids = _check_meeting(check.year, held_on, title, indicators, units)
    found = set(chain_shortfalls(check).values_list("unit_id", flat=True))
    if found - {u.pk for u in units}:
        raise DomainError(_("A unit with shortfalls found at this spot check must stay present."))
    new = SpotCheck.objects.create(
        year=check.year, held_on=held_on, title=_clean(title, 200), indicators=ids,
        minutes=(minutes or "").strip()[:5000], supersedes=check, reason=_clean(reason, 200),
        created=timezone.now(), created_by=actor,
    )  # fmt: skip
    new.units.set(units)
    record("checks.spot_check.correct", actor=actor, obj=new,
           data={**_audit_data(new, units), "corrects": check.pk, "reason": new.reason})  # fmt: skip
    return new


def chain_of(check: SpotCheck) -> list[int]:
    """The ids of `check` and of the rows it corrects, newest first."""
    ids = [check.pk]
    current = check
    while current.supersedes_id is not None:
        ids.append(current.supersedes_id)
        current = SpotCheck.objects.get(pk=current.supersedes_id)
    return ids


def chain_shortfalls(check: SpotCheck) -> QuerySet[Shortfall]:
    return Shortfall.objects.filter(spot_check_id__in=chain_of(check))


def current_spot_checks(year: CampaignYear) -> list[SpotCheck]:
    """The spot checks nobody corrected, newest first, with `chain` the ids they stand
    for (themselves and what they correct); two queries."""
    checks = list(
        SpotCheck.objects.filter(year=year).prefetch_related("units").order_by("-held_on", "-id")
    )
    by_id = {c.pk: c for c in checks}
    corrected = {c.supersedes_id for c in checks if c.supersedes_id is not None}
    current = [c for c in checks if c.pk not in corrected]
    for check in current:
        chain, row = [check.pk], check
        while row.supersedes_id is not None and row.supersedes_id in by_id:
            row = by_id[row.supersedes_id]
            chain.append(row.pk)
        check.chain = chain  # type: ignore[attr-defined]
    return current


def _current_post_of(unit: Unit, post: Post, what: str) -> None:
    if post.unit_id != unit.pk:
        raise DomainError(_("This post is not in the unit."))
    if post.end is not None and post.end <= timezone.localdate():
        raise DomainError(_("%(what)s must hold a current post of the unit.") % {"what": what})


@transaction.atomic
def add_shortfall(
    check: SpotCheck,
    post: Post,
    *,
    text: str,
    measure: str,
    due_on: dt.date,
    owner: Post | None = None,
    actor: Any,
) -> Shortfall:
    """A shortfall of a team member found at a spot check, with its remedy; the owner is
    the same person unless another post of the unit is named."""
    require_office_actor(actor)
    if SpotCheck.objects.filter(supersedes=check).exists():
        raise DomainError(_("This spot check was corrected: add to its correction."))
    unit = post.unit
    if not check.units.filter(pk=unit.pk).exists():
        raise DomainError(_("The unit was not present at this spot check."))
    _current_post_of(unit, post, _("The person"))
    owner = owner or post
    _current_post_of(unit, owner, _("The owner"))
    if not _clean(text):
        raise DomainError(_("Describe the shortfall."))
    if not _clean(measure):
        raise DomainError(_("Say what will be done about it."))
    if due_on < check.held_on:
        raise DomainError(_("The due date cannot be before the spot check."))
    now = timezone.now()
    shortfall = Shortfall.objects.create(spot_check=check, unit=unit, post=post,
                                         text=_clean(text), created=now, created_by=actor)  # fmt: skip
    remedy = Remedy.objects.create(shortfall=shortfall, measure=_clean(measure), owner=owner,
                                   due_on=due_on, created=now, created_by=actor)  # fmt: skip
    record(
        "checks.shortfall.add",
        actor=actor,
        obj=shortfall,
        data={"spot_check": check.pk, "unit": unit.code, "post": post.pk, "text": shortfall.text,
              "remedy": remedy.pk, "measure": remedy.measure, "owner": owner.pk, "due": due_on},
    )  # fmt: skip
    return shortfall


def status_of(remedy: Remedy) -> str:
    """The remedy's current status: its newest update's, open while it has none."""
    if hasattr(remedy, "status"):
        return str(remedy.status)
    newest = RemedyUpdate.objects.filter(remedy=remedy).order_by("-id").first()
    return newest.status if newest else OPEN


def with_status(remedies: QuerySet[Remedy]) -> QuerySet[Remedy]:
    """Each remedy annotated with `status`, its newest update's (open while none)."""
    newest = RemedyUpdate.objects.filter(remedy=OuterRef("pk")).order_by("-id")
    return remedies.annotate(status=Coalesce(Subquery(newest.values("status")[:1]), Value(OPEN)))


def _year_of(remedy: Remedy) -> CampaignYear:
    return remedy.shortfall.spot_check.year


def allowed_statuses(
    actor: Any, remedy: Remedy, status: str | None = None, *, year: CampaignYear | None = None
) -> list[str]:
    """The statuses `actor` may give the remedy now (its current status: a note); `year`,
    the remedy's, saves a query per remedy on a list."""
    status = status or status_of(remedy)
    year = year or _year_of(remedy)
    roles = set()
    if is_office(actor):
        roles.add(OFFICE)
    if is_liaison_of(actor, remedy.shortfall.unit_id) and not year.closed_to_liaisons:
        roles.add(LIAISON)
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and who & roles]


@transaction.atomic
def update_remedy(remedy: Remedy, *, status: str, note: str, actor: Any) -> RemedyUpdate:
    remedy = (
        Remedy.objects.select_for_update()
        .select_related("shortfall__spot_check__year")
        .get(pk=remedy.pk)
    )
    if not (is_office(actor) or is_liaison_of(actor, remedy.shortfall.unit_id)):
        raise DomainError(_("You may only update the remedies of your own unit."))
    current = status_of(remedy)
    if status not in RemedyStatus.values:
        raise DomainError(_("Unknown status: %(status)s") % {"status": status})
    allowed = TRANSITIONS.get((current, status))
    if allowed is None:
        raise DomainError(
            _("A remedy that is %(current)s cannot become %(status)s.")
            % {"current": RemedyStatus(current).label, "status": RemedyStatus(status).label}
        )
    if not is_office(actor) and _year_of(remedy).closed_to_liaisons:
        raise DomainError(
            _("The year has reached the evaluation: ask the campaign office to update remedies.")
        )
    if not is_office(actor) and LIAISON not in allowed:
        raise DomainError(_("Only the campaign office can do this."))
    note = _clean(note)
    if not note:
        if status == DONE:
            raise DomainError(_("A remedy done needs its evidence."))
        if status == DROPPED:
            raise DomainError(_("Dropping a remedy needs a reason."))
        raise DomainError(_("Write what was done."))
    update = RemedyUpdate.objects.create(remedy=remedy, status=status, note=note,
                                         created=timezone.now(), created_by=actor)  # fmt: skip
    record("checks.remedy.update", actor=actor, obj=remedy,
           data={"from": current, "status": status, "note": note})  # fmt: skip
    return update


def overdue_remedies(
    year: CampaignYear, units: Iterable[Unit] | None = None, *, today: dt.date | None = None
) -> list[Remedy]:
    """The remedies still open after their due date, of every unit or of `units`, the
    most overdue first; one query whatever the number of units and remedies."""
    today = today or timezone.localdate()
    rows = with_status(
        Remedy.objects.filter(shortfall__spot_check__year=year, due_on__lt=today)
    ).filter(status=OPEN)  # type: ignore[misc]  # the annotation
    if units is not None:
        rows = rows.filter(
            shortfall__unit__in=units if isinstance(units, QuerySet) else list(units)
        )
    return list(
        rows.select_related(
            "shortfall__unit", "shortfall__post__person", "shortfall__spot_check", "owner__person"
        ).order_by("due_on", "shortfall__unit__order", "id")
    )
