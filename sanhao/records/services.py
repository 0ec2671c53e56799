"""Entering a unit's process records, correcting them, attaching files; the records as
the engine's facts.

Every write is atomic and leaves one audit entry. A unit's liaison writes its records
until the year reaches the evaluation; the office always may. The record types are the
year's scheme's: a type the scheme lacks, a period outside 1…expected, a date outside
the year or after today, and a second current record of a unit, type and period are
refused, each with a message that says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import is_office
from sanhao.audit.services import record as audit
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, Unit
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.records.files import store_upload
from sanhao.records.models import ProcessRecord, RecordAttachment
from sanhao.records.periods import is_on_time, period_span
from sanhao.scoring.scheme import RecordType
from sanhao.targets.services import locked_months

TOPIC_MAX = 200
TEXT_MAX = 2000
REASON_MAX = 200


def record_types_of(year: CampaignYear) -> tuple[RecordType, ...]:
    """The process record types of the year's current scheme, in the scheme's order."""
    return check_scheme(current_scheme(year).source).records


def monthly(record_type: RecordType) -> bool:
    return record_type.expected == 12


def is_liaison_closed(year: CampaignYear) -> bool:
    """From the evaluation on, only the office writes records."""
    return year.closed_to_liaisons


def can_write_records(actor: Any, year: CampaignYear, unit: Unit) -> bool:
    if is_office(actor):
        return True
    return bool(
        getattr(actor, "is_liaison", False)
        and actor.unit_id == unit.pk
        and not is_liaison_closed(year)
    )


def _require_writer(actor: Any, year: CampaignYear, unit: Unit) -> None:
    if is_office(actor):
        return
    if not (getattr(actor, "is_liaison", False) and actor.unit_id == unit.pk):
        raise DomainError(_("You may only enter the records of your own unit."))
    if is_liaison_closed(year):
        raise DomainError(
            _(
                "The year has reached the evaluation: ask the campaign office to enter or correct records."
            )
        )


def closed_months_for(actor: Any, year: CampaignYear) -> set[int]:
    """The months whose records `actor` may no longer write: none for the office."""
    return set() if is_office(actor) else locked_months(year)


def _require_open_period(
    actor: Any, year: CampaignYear, record_type: RecordType, *periods: int
) -> None:
    """A liaison writes a period's record until the office locks the month it ends in
    (`sanhao.targets`' month lock, the same one as for the actuals): the locks are read
    once for every period given, and the first closed one is named."""
    closed = closed_months_for(actor, year)
    for period in periods:
        month = period_span(year.year, period, record_type.expected)[1].month
        if month in closed:
            raise DomainError(
                _("Month %(m)s is locked: ask the campaign office to enter or correct its records.")
                % {"m": month}
            )


def current_records(year: CampaignYear, units: Iterable[Unit] | None = None) -> list[ProcessRecord]:
    """The records nobody superseded, one query."""
    rows = ProcessRecord.objects.filter(year=year, superseded_by__isnull=True)
    if units is not None:
        rows = rows.filter(unit__in=list(units))
    return list(rows.order_by("unit_id", "type", "period", "id"))


def team_of(unit: Unit) -> list[Post]:
    """The unit's current team, leader first (one query): whom a record's attendance lists."""
    return list(
        Post.objects.filter(unit=unit)
        .current()
        .select_related("person")
        .order_by("order", "start", "pk")
    )


def _attendance(unit: Unit, given: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{number, name, present, reason}] for every member of the current team, from
    what the form says of each: a member it does not name, or one absent without a
    reason, is refused; so is a person not in the team."""
    said: dict[str, dict[str, Any]] = {}
    for entry in given:
        said[str(entry.get("number", ""))] = entry
    team = team_of(unit)
    numbers = {post.person.code for post in team}
    strangers = sorted(set(said) - numbers)
    if strangers:
        raise DomainError(
            _("Not in the unit's team: %(numbers)s") % {"numbers": ", ".join(strangers)}
        )
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for post in team:
        person = post.person
        if person.code in seen:
            continue
        seen.add(person.code)
        told = said.get(person.code)
        if told is None:
            raise DomainError(_("Say whether %(name)s was present.") % {"name": person.name})
        present = bool(told.get("present"))
        reason = " ".join(str(told.get("reason") or "").split())[:REASON_MAX]
        if not present and not reason:
            raise DomainError(_("%(name)s was absent: give the reason.") % {"name": person.name})
        rows.append({"number": person.code, "name": person.name, "present": present,
                     "reason": "" if present else reason})  # fmt: skip
    return rows


def _check(year: CampaignYear, unit: Unit, type: str, period: int, held_on: dt.date) -> RecordType:
    if unit.district_id != year.district_id:
        raise DomainError(_("This unit is not in the campaign year's district."))
    types = {t.type: t for t in record_types_of(year)}
    record_type = types.get(type)
    if record_type is None:
        raise DomainError(_("The year's scheme has no record type %(type)s.") % {"type": type})
    if not 1 <= period <= record_type.expected:
        raise DomainError(
            _("%(name)s: the period must be from 1 to %(n)s.")
            % {"name": record_type.name, "n": record_type.expected}
        )
    if held_on.year != year.year:
        raise DomainError(
            _("The date %(day)s is not in %(year)s.")
            % {"day": held_on.isoformat(), "year": year.year}
        )
    if held_on > timezone.localdate():
        raise DomainError(
            _("The date %(day)s is still to come: enter a meeting once it is held.")
            % {"day": held_on.isoformat()}
        )
    return record_type


def _existing(year: CampaignYear, unit: Unit, type: str, period: int) -> ProcessRecord | None:
    return (
        ProcessRecord.objects.filter(
            year=year, unit=unit, type=type, period=period, superseded_by__isnull=True
        )
        .order_by("id")
        .first()
    )


def _refuse_second(record_type: RecordType, existing: ProcessRecord) -> None:
    raise DomainError(
        _(
            "%(name)s of period %(period)s is already recorded (held on %(day)s, “%(topic)s”): correct that record instead."
        )
        % {
            "name": record_type.name,
            "period": existing.period,
            "day": existing.held_on.isoformat(),
            "topic": existing.topic,
        }
    )


def _lock_unit(unit: Unit) -> None:
    # Two writers of one unit's records take turns (SQLite writes one at a time anyway).
    Unit.objects.select_for_update().filter(pk=unit.pk).first()


def _clean(text: str, limit: int) -> str:
    return (text or "").strip()[:limit]


def _audit_data(rec: ProcessRecord) -> dict[str, Any]:
    return {
        "year": rec.year.year,
        "unit": rec.unit.code,
        "type": rec.type,
        "period": rec.period,
        "held_on": rec.held_on.isoformat(),
        "topic": rec.topic,
        "absent": [a["number"] for a in rec.attendance if not a["present"]],
    }


@transaction.atomic
def add_record(
    year: CampaignYear,
    unit: Unit,
    *,
    type: str,
    period: int,
    held_on: dt.date,
    topic: str,
    attendance: Iterable[dict[str, Any]],
    text: str = "",
    actor: Any,
) -> ProcessRecord:
    _require_writer(actor, year, unit)
    record_type = _check(year, unit, type, period, held_on)
    _require_open_period(actor, year, record_type, period)
    topic = _clean(topic, TOPIC_MAX)
    if not topic:
        raise DomainError(_("A record needs its topic."))
    _lock_unit(unit)
    existing = _existing(year, unit, type, period)
    if existing is not None:
        _refuse_second(record_type, existing)
    rec = ProcessRecord(
        year=year, unit=unit, type=type, period=period, held_on=held_on, topic=topic,
        attendance=_attendance(unit, attendance), text=_clean(text, TEXT_MAX),
        created=timezone.now(), created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    rec.save()
    audit("records.record.add", actor=actor, obj=rec, data=_audit_data(rec))
    return rec


@transaction.atomic
def correct_record(
    rec: ProcessRecord,
    *,
    period: int | None = None,
    held_on: dt.date,
    topic: str,
    attendance: Iterable[dict[str, Any]],
    text: str = "",
    reason: str,
    actor: Any,
) -> ProcessRecord:
    """A new row in place of `rec`, with the reason; its attachments come along."""
    year, unit = rec.year, rec.unit
    _require_writer(actor, year, unit)
    period = rec.period if period is None else period
    record_type = _check(year, unit, rec.type, period, held_on)
    _require_open_period(actor, year, record_type, rec.period, period)
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if not reason:
        raise DomainError(_("A correction needs a reason."))
    topic = _clean(topic, TOPIC_MAX)
    if not topic:
        raise DomainError(_("A record needs its topic."))
    _lock_unit(unit)
    if ProcessRecord.objects.filter(supersedes=rec).exists():
        raise DomainError(_("This record has been corrected already: correct the newer one."))
    if period != rec.period:
        existing = _existing(year, unit, rec.type, period)
        if existing is not None:
            _refuse_second(record_type, existing)
    new = ProcessRecord(
        year=year, unit=unit, type=rec.type, period=period, held_on=held_on, topic=topic,
        attendance=_attendance(unit, attendance), text=_clean(text, TEXT_MAX),
        supersedes=rec, reason=reason, created=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    new.save()
    RecordAttachment.objects.bulk_create(
        [
            RecordAttachment(
                record=new,
                name=a.name,
                kind=a.kind,
                size=a.size,
                sha256=a.sha256,
                stored_name=a.stored_name,
                created=a.created,
                created_by=a.created_by,
            )
            for a in RecordAttachment.objects.filter(record=rec).order_by("id")
        ]
    )
    audit(
        "records.record.correct",
        actor=actor,
        obj=new,
        data={**_audit_data(new), "supersedes": rec.pk, "reason": reason},
    )
    return new


@transaction.atomic
def attach_file(rec: ProcessRecord, uploaded: Any, *, actor: Any) -> RecordAttachment:
    """Keep an uploaded file with the record: its type told by its content, its size
    limited, stored under a random name. Nothing is stored when it is refused."""
    _require_writer(actor, rec.year, rec.unit)
    types = {t.type: t for t in record_types_of(rec.year)}
    if rec.type in types:
        _require_open_period(actor, rec.year, types[rec.type], rec.period)
    if ProcessRecord.objects.filter(supersedes=rec).exists():
        raise DomainError(_("This record has been corrected already: attach to the newer one."))
    kept = store_upload(uploaded, "records")
    try:
        attachment = RecordAttachment(
            record=rec, name=kept.name, kind=kept.kind, size=kept.size, sha256=kept.sha256,
            stored_name=kept.stored_name, created=timezone.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        attachment.save()
        audit(
            "records.attachment.add",
            actor=actor,
            obj=attachment,
            data={
                "record": rec.pk,
                "name": attachment.name,
                "kind": kept.kind,
                "size": kept.size,
                "sha256": kept.sha256,
            },
        )
    except BaseException:
        default_storage.delete(kept.stored_name)
        raise
    return attachment


def records_for_facts(year: CampaignYear) -> list[dict[str, Any]]:
    """The engine's facts `records` (docs/scheme.md): one entry per current record of a
    type and period the year's scheme has, `on_time` computed from its date. A constant
    number of queries whatever the number of units and records."""
    expected = {t.type: t.expected for t in record_types_of(year)}
    rows = (
        ProcessRecord.objects.filter(year=year, superseded_by__isnull=True)
        .order_by("unit__code", "type", "period", "id")
        .values_list("unit__code", "type", "period", "held_on")
    )
    facts = []
    for code, type, period, held_on in rows:
        n = expected.get(type)
        if n is None or period > n:
            continue  # a type or period the current scheme no longer has
        facts.append({"unit": code, "type": type, "period": period,
                      "on_time": is_on_time(held_on, year.year, period, n)})  # fmt: skip
    return facts
