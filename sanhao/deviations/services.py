"""Raising deviations (纠偏) and tracking them to closure.

Every write is atomic and leaves one audit entry. Only the office raises a deviation; the
unit's liaison adds progress (a note, or corrected with its evidence) until the year
reaches the evaluation; only the office drops one (with a reason) or reopens a corrected
one. Who may move a deviation from which status to which is the table `TRANSITIONS`.
An evidence file is checked by its content as a process record's is
(`sanhao.records.files`) and stored under a random name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import is_office, require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.deviations.models import Deviation, DeviationStatus, DeviationUpdate
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit
from sanhao.records.files import store_upload
from sanhao.records.models import ProcessRecord
from sanhao.records.services import is_liaison_closed

OPEN, CLOSED, DROPPED = DeviationStatus.OPEN, DeviationStatus.CLOSED, DeviationStatus.DROPPED
OFFICE, LIAISON = "office", "liaison"
SUPERVISION = "supervision"  # the record type of 党委会月督 in the scheme

# (from, to) → who may: a note keeps a deviation open; corrected needs its evidence; only
# the office drops a deviation (with a reason) or reopens a corrected one.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (OPEN, OPEN): {OFFICE, LIAISON},
    (OPEN, CLOSED): {OFFICE, LIAISON},
    (OPEN, DROPPED): {OFFICE},
    (CLOSED, OPEN): {OFFICE},
}
TEXT_MAX = 500


def _clean(text: str, limit: int = TEXT_MAX) -> str:
    return " ".join((text or "").split())[:limit]


def is_liaison_writer(actor: Any, deviation: Deviation) -> bool:
    """The unit's liaison, while the year is still open to liaisons."""
    return bool(
        getattr(actor, "is_liaison", False)
        and actor.unit_id == deviation.unit_id
        and not is_liaison_closed(deviation.year)
    )


@transaction.atomic
def raise_deviation(
    year: CampaignYear,
    unit: Unit,
    *,
    found_on: dt.date,
    problem: str,
    correction: str,
    deadline: dt.date,
    record_of: ProcessRecord | None = None,
    actor: Any,
) -> Deviation:
    require_office_actor(actor)
    if unit.district_id != year.district_id:
        raise DomainError(_("This unit is not in the campaign year's district."))
    if found_on.year != year.year:
        raise DomainError(_("The deviation must be found in %(year)s.") % {"year": year.year})
    if found_on > timezone.localdate():
        raise DomainError(_("The day it was found cannot be after today."))
    problem, correction = _clean(problem), _clean(correction)
    if not problem:
        raise DomainError(_("Say what is wrong."))
    if not correction:
        raise DomainError(_("Say what must be corrected."))
    if deadline < found_on:
        raise DomainError(_("The deadline cannot be before the day it was found."))
    if record_of is not None:
        if record_of.year_id != year.pk or record_of.unit_id != unit.pk:
            raise DomainError(_("The supervision record must be of this unit and year."))
        if record_of.type != SUPERVISION:
            raise DomainError(_("Only a monthly supervision record can raise a deviation."))
    deviation = Deviation.objects.create(
        year=year, unit=unit, record=record_of, found_on=found_on, problem=problem,
        correction=correction, deadline=deadline, created=timezone.now(), created_by=actor,
    )  # fmt: skip
    record("deviations.deviation.raise", actor=actor, obj=deviation,
           data={"year": year.year, "unit": unit.code, "found_on": found_on,
                 "record": record_of.pk if record_of else None, "problem": problem,
                 "correction": correction, "deadline": deadline})  # fmt: skip
    return deviation


def status_of(deviation: Deviation) -> str:
    """The deviation's current status: its newest update's, open while it has none."""
    if hasattr(deviation, "status"):
        return str(deviation.status)
    newest = DeviationUpdate.objects.filter(deviation=deviation).order_by("-id").first()
    return newest.status if newest else OPEN


def with_status(deviations: QuerySet[Deviation]) -> QuerySet[Deviation]:
    """Each deviation annotated with `status`, its newest update's (open while none)."""
    newest = DeviationUpdate.objects.filter(deviation=OuterRef("pk")).order_by("-id")
    return deviations.annotate(status=Coalesce(Subquery(newest.values("status")[:1]), Value(OPEN)))


def is_overdue(deviation: Deviation, status: str, today: dt.date) -> bool:
    return status == OPEN and deviation.deadline < today


def allowed_statuses(actor: Any, deviation: Deviation, status: str | None = None) -> list[str]:
    """The statuses `actor` may give the deviation now (its current status: a note)."""
    status = status or status_of(deviation)
    roles = set()
    if is_office(actor):
        roles.add(OFFICE)
    if is_liaison_writer(actor, deviation):
        roles.add(LIAISON)
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and who & roles]


def _store(uploaded: Any) -> dict[str, Any]:
    """The evidence file's fields, after the checks of a record's attachment."""
    kept = store_upload(uploaded, "deviations")
    return {"file_name": kept.name, "file_kind": kept.kind, "file_size": kept.size,
            "file_sha256": kept.sha256, "stored_name": kept.stored_name}  # fmt: skip


@transaction.atomic
def update_deviation(
    deviation: Deviation, *, status: str, note: str, file: Any = None, actor: Any
) -> DeviationUpdate:
    deviation = Deviation.objects.select_for_update().select_related("year").get(pk=deviation.pk)
    office = is_office(actor)
    if not office and not (
        getattr(actor, "is_liaison", False) and actor.unit_id == deviation.unit_id
    ):
        raise DomainError(_("You may only update the deviations of your own unit."))
    if not office and is_liaison_closed(deviation.year):
        raise DomainError(
            _("The year has reached the evaluation: ask the campaign office to update it.")
        )
    current = status_of(deviation)
    if status not in DeviationStatus.values:
        raise DomainError(_("Unknown status: %(status)s") % {"status": status})
    allowed = TRANSITIONS.get((current, status))
    if allowed is None:
        raise DomainError(
            _("A deviation that is %(current)s cannot become %(status)s.")
            % {"current": DeviationStatus(current).label, "status": DeviationStatus(status).label}
        )
    if not office and LIAISON not in allowed:
        raise DomainError(_("Only the campaign office can do this."))
    note = _clean(note)
    if not note:
        if status == CLOSED:
            raise DomainError(_("A corrected deviation needs its evidence."))
        if status == DROPPED:
            raise DomainError(_("Dropping a deviation needs a reason."))
        raise DomainError(_("Write what was done."))
    stored = _store(file) if file is not None else {}
    try:
        update = DeviationUpdate.objects.create(
            deviation=deviation, status=status, note=note, created=timezone.now(),
            created_by=actor, **stored,
        )  # fmt: skip
        record("deviations.deviation.update", actor=actor, obj=deviation,
               data={"from": current, "status": status, "note": note,
                     "file": {k: stored[k] for k in ("file_name", "file_kind", "file_size",
                                                     "file_sha256")} if stored else None})  # fmt: skip
    except BaseException:
        if stored:
            default_storage.delete(stored["stored_name"])
        raise
    return update


def year_deviations(year: CampaignYear, units: Iterable[Unit] | None = None) -> list[Deviation]:
    """The year's deviations, of every unit or of `units`, with `status`; one query."""
    rows = with_status(Deviation.objects.filter(year=year))
    if units is not None:
        rows = rows.filter(unit__in=units if isinstance(units, QuerySet) else list(units))
    return list(rows.select_related("unit", "record").order_by("unit__order", "deadline", "id"))


def overdue_deviations(
    years: Iterable[CampaignYear], *, today: dt.date | None = None
) -> list[Deviation]:
    """The deviations of `years` still open after their deadline, the most overdue first;
    one query whatever the number of units and deviations."""
    today = today or timezone.localdate()
    rows = with_status(Deviation.objects.filter(year__in=list(years), deadline__lt=today)).filter(
        status=OPEN
    )  # type: ignore[misc]  # the annotation
    return list(rows.select_related("unit", "year").order_by("deadline", "unit__order", "id"))


def unit_deviations(unit: Unit, year: CampaignYear | None) -> list[dict[str, Any]]:
    """The unit's deviations of the year still open, with whether each is overdue, for
    the unit page (one query)."""
    if year is None:
        return []
    today = timezone.localdate()
    rows = with_status(Deviation.objects.filter(year=year, unit=unit)).filter(
        status=OPEN  # type: ignore[misc]  # the annotation
    )
    return [{"deviation": d, "overdue": d.deadline < today}
            for d in rows.order_by("deadline", "id")]  # fmt: skip
