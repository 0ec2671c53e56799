"""Writes to the organisation model. Each is atomic and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanhao.audit.services import record
from sanhao.lib.changes import apply_changes
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import District, Person, Post, Role, RosterProblems, Unit

UNIT_FIELDS = ("name", "kind", "order")
PERSON_FIELDS = ("name", "gender", "birth_month", "education", "party_joined")
POST_FIELDS = ("role", "title", "start", "end", "order")


# Every rule the database enforces on these tables, as (constraint name, the text SQLite
# gives when it refuses, message). The names are those of models.py and migration 0002;
# unique fields and positive integers have PostgreSQL's default names.
DATABASE_RULES: list[tuple[str, str, Promise]] = [
    ("orgs_district_name_key", "UNIQUE constraint failed: orgs_district.name",
     gettext_lazy("A district with this name already exists.")),
    ("orgs_unit_code_key", "UNIQUE constraint failed: orgs_unit.code",
     gettext_lazy("A unit with this code already exists.")),
    ("unit_name_unique_in_district",
     "UNIQUE constraint failed: orgs_unit.district_id, orgs_unit.name",
     gettext_lazy("A unit with this name already exists.")),
    ("orgs_person_code_key", "UNIQUE constraint failed: orgs_person.code",
     gettext_lazy("A person with this number already exists.")),
    ("person_birth_month_first_day", "CHECK constraint failed: person_birth_month_first_day",
     gettext_lazy("The month of birth is stored as its first day.")),
    ("post_end_after_start", "CHECK constraint failed: post_end_after_start",
     gettext_lazy("The end date must be after the start date.")),
    ("post_unique_person_title_start",
     "UNIQUE constraint failed: orgs_post.person_id, orgs_post.unit_id, orgs_post.title, "
     "orgs_post.start",
     gettext_lazy("This person already has this post from this date.")),
    ("post_one_current_leader_per_unit", "UNIQUE constraint failed: orgs_post.unit_id",
     gettext_lazy("This unit already has a leader in this period. End that post first.")),
    ("post_leader_periods_do_not_overlap", "post_leader_periods_do_not_overlap",
     gettext_lazy("This unit already has a leader in this period. End that post first.")),
    ("orgs_unit_order_check", "CHECK constraint failed: order",
     gettext_lazy("The display order must not be negative.")),
    ("orgs_post_order_check", "CHECK constraint failed: order",
     gettext_lazy("The display order must not be negative.")),
]  # fmt: skip


def explain_integrity_error(error: IntegrityError) -> str:
    """What the person should read when the database refused a write."""
    diagnosis = getattr(error.__cause__, "diag", None)  # PostgreSQL names the constraint
    name = getattr(diagnosis, "constraint_name", None) or ""
    text = str(error).strip()
    for constraint, sqlite_text, message in DATABASE_RULES:
        if name == constraint or text == sqlite_text or (not name and constraint in text):
            return str(message)
    return _("The database refused this change (rule %(rule)s); nothing was saved.") % {
        "rule": name or text.partition("\n")[0][:80]
    }


@contextmanager
def database_rules(recheck: Callable[[], None] | None = None) -> Iterator[None]:
    """A savepoint around a write: the database's refusal becomes a DomainError.

    `recheck` runs the service's own checks again after a refusal: a request that lost a
    race to another one then reads the specific message (who holds the post since when).
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if recheck is not None:
            recheck()
        raise DomainError(explain_integrity_error(error)) from error


def _month(value: dt.date | None) -> dt.date | None:
    return value.replace(day=1) if value else None


@transaction.atomic
def create_district(name: str, *, actor: Any) -> District:
    if District.objects.filter(name=name).exists():
        raise DomainError(_("A district with this name already exists."))
    with database_rules():
        district = District.objects.create(name=name)
    record("orgs.district.create", actor=actor, obj=district, data={"name": name})
    return district


def _unit_name_taken(district_id: int, name: str, unit_pk: int | None) -> bool:
    same = Unit.objects.filter(district_id=district_id, name=name)
    if unit_pk is not None:
        same = same.exclude(pk=unit_pk)
    return same.exists()


@transaction.atomic
def create_unit(
    district: District, *, code: str, name: str, kind: str, order: int = 0, actor: Any
) -> Unit:
    if Unit.objects.filter(code=code).exists():
        raise DomainError(_("A unit with the code %(code)s already exists.") % {"code": code})
    if _unit_name_taken(district.pk, name, None):
        raise DomainError(_("A unit named %(name)s already exists.") % {"name": name})
    with database_rules():
        unit = Unit.objects.create(district=district, code=code, name=name, kind=kind, order=order)
    record(
        "orgs.unit.create",
        actor=actor,
        obj=unit,
        data={"code": code, "name": name, "kind": kind, "order": order},
    )
    return unit


def _update(
    obj: Unit | Person | Post,
    allowed: tuple[str, ...],
    fields: dict[str, Any],
    *,
    action: str,
    actor: Any,
    check: Any = None,
) -> dict[str, list[Any]]:
    """Apply `fields`, save only what changed and record it with the old values."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {obj._meta.model_name} fields: {sorted(unknown)}")
    changed = apply_changes(obj, fields)
    if changed:
        if check is not None:
            check(obj)
        with database_rules(recheck=(lambda: check(obj)) if check is not None else None):
            obj.save(update_fields=list(changed))
        record(action, actor=actor, obj=obj, data={"changes": changed})
    return changed


def check_unit(unit: Unit) -> None:
    if _unit_name_taken(unit.district_id, unit.name, unit.pk):
        raise DomainError(_("A unit named %(name)s already exists.") % {"name": unit.name})


@transaction.atomic
def update_unit(unit: Unit, *, actor: Any, **fields: Any) -> dict[str, list[Any]]:
    return _update(
        unit, UNIT_FIELDS, fields, action="orgs.unit.update", actor=actor, check=check_unit
    )


@transaction.atomic
def create_person(
    *,
    code: str,
    name: str,
    gender: str,
    birth_month: dt.date | None = None,
    education: str = "",
    party_joined: dt.date | None = None,
    actor: Any,
) -> Person:
    if Person.objects.filter(code=code).exists():
        raise DomainError(_("A person with the number %(code)s already exists.") % {"code": code})
    with database_rules():
        person = Person.objects.create(
            code=code,
            name=name,
            gender=gender,
            birth_month=_month(birth_month),
            education=education,
            party_joined=_month(party_joined),
        )
    record(
        "orgs.person.create",
        actor=actor,
        obj=person,
        data={f: getattr(person, f) for f in ("code", *PERSON_FIELDS)},
    )
    return person


@transaction.atomic
def update_person(person: Person, *, actor: Any, **fields: Any) -> dict[str, list[Any]]:
    for key in ("birth_month", "party_joined"):
        if key in fields:
            fields[key] = _month(fields[key])
    return _update(person, PERSON_FIELDS, fields, action="orgs.person.update", actor=actor)


def check_post(post: Post) -> None:
    """The rules a post must keep; the database enforces them too."""
    if post.end is not None and post.end <= post.start:
        raise DomainError(_("The end date must be after the start date."))
    if post.role != Role.LEADER:
        return
    overlapping = (
        Post.objects.filter(unit_id=post.unit_id, role=Role.LEADER)
        .exclude(pk=post.pk)
        .filter(Q(end__isnull=True) | Q(end__gt=post.start))
    )
    if post.end is not None:
        overlapping = overlapping.filter(start__lt=post.end)
    other = overlapping.select_related("person").first()
    if other is not None:
        raise DomainError(
            _(
                "%(unit)s already has a leader in this period: %(name)s, %(title)s since "
                "%(start)s. End that post first."
            )
            % {
                "unit": post.unit.name,
                "name": other.person.name,
                "title": other.title,
                "start": other.start.isoformat(),
            }
        )


def _post_data(post: Post) -> dict[str, Any]:
    return {
        "person": post.person.code,
        "unit": post.unit.code,
        "role": post.role,
        "title": post.title,
        "start": post.start,
        "end": post.end,
        "order": post.order,
    }


@transaction.atomic
def start_post(
    person: Person,
    unit: Unit,
    *,
    role: str,
    title: str,
    start: dt.date,
    end: dt.date | None = None,
    order: int = 100,
    actor: Any,
) -> Post:
    post = Post(person=person, unit=unit, role=role, title=title, start=start, end=end, order=order)
    if Post.objects.filter(person=person, unit=unit, title=title, start=start).exists():
        raise DomainError(
            _("%(name)s already has the post %(title)s from %(start)s.")
            % {"name": person.name, "title": title, "start": start.isoformat()}
        )
    check_post(post)
    with database_rules(recheck=lambda: check_post(post)):
        post.save()
    record("orgs.post.start", actor=actor, obj=post, data=_post_data(post))
    return post


@transaction.atomic
def end_post(post: Post, end: dt.date, *, actor: Any) -> Post:
    """The person leaves the post (换届, transfer): the record stays, with its end date."""
    if post.end is not None:
        raise DomainError(_("This post already ended on %(end)s.") % {"end": post.end.isoformat()})
    post.end = end
    check_post(post)
    with database_rules(recheck=lambda: check_post(post)):
        post.save(update_fields=["end"])
    record("orgs.post.end", actor=actor, obj=post, data={"end": end})
    return post


@transaction.atomic
def correct_post(post: Post, *, actor: Any, **fields: Any) -> dict[str, list[Any]]:
    """Correct a post entered wrongly; the audit entry keeps the old values."""
    return _update(
        post, POST_FIELDS, fields, action="orgs.post.correct", actor=actor, check=check_post
    )


ROSTER_PROBLEMS_KEPT = dt.timedelta(days=1)


@transaction.atomic
def keep_roster_problems(problems: list[list[Any]], *, actor: Any) -> RosterProblems:
    """Keep the problems of a refused import for their download; forget those of yesterday.

    Not audited: nothing of the organisation changed, this is the refusal's receipt.
    """
    RosterProblems.objects.filter(created__lt=timezone.now() - ROSTER_PROBLEMS_KEPT).delete()
    packed = gzip.compress(json.dumps(problems, ensure_ascii=False).encode("utf-8"), 6)
    return RosterProblems.objects.create(actor=actor, count=len(problems), problems=packed)


def roster_problems_rows(kept: RosterProblems) -> list[list[Any]]:
    rows: list[list[Any]] = json.loads(gzip.decompress(bytes(kept.problems)))
    return rows
