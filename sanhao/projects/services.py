"""Registering a unit's projects, their milestones and progress, and the office's grades.

Every write is atomic and leaves one audit entry. A unit's liaison registers and edits
their own unit's projects and reports milestone progress until the year leaves the
recording phases (`sanhao.records.services.is_liaison_closed`); the office always may,
and alone drops or reopens a milestone, takes back a dropped project and grades.
Nothing is changed in place: an edit is a new revision with a reason, progress a new
update, a grade a new grade (the newest counts).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import is_office, require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, PostQuerySet, Role, Unit
from sanhao.projects.models import (
    OWNER_ROLE,
    Action,
    Evidence,
    Grade,
    Kind,
    Medal,
    Milestone,
    MilestoneUpdate,
    Project,
    ProjectRevision,
)
from sanhao.projects.state import LIAISON, OFFICE, TRANSITIONS, MilestoneState, fold
from sanhao.projects.state import allowed_actions as _allowed
from sanhao.records.files import store_upload
from sanhao.records.services import is_liaison_closed

TITLE_MAX, GOAL_MAX, TEXT_MAX, REASON_MAX = 200, 2000, 500, 200


def _line(text: str, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def _who(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def is_liaison_of(actor: Any, unit_id: int) -> bool:
    return bool(getattr(actor, "is_liaison", False) and actor.unit_id == unit_id)


def can_write(actor: Any, year: CampaignYear, unit: Unit) -> bool:
    """May `actor` register and edit the unit's projects of the year and report progress?"""
    if is_office(actor):
        return True
    return is_liaison_of(actor, unit.pk) and not is_liaison_closed(year)


def _require_writer(actor: Any, year: CampaignYear, unit: Unit) -> None:
    if is_office(actor):
        return
    if not is_liaison_of(actor, unit.pk):
        raise DomainError(_("You may only enter the projects of your own unit."))
    if is_liaison_closed(year):
        raise DomainError(
            _(
                "The year has reached the evaluation: ask the campaign office to enter or correct projects."
            )
        )


def roles_of(actor: Any, unit: Unit, year: CampaignYear) -> set[str]:
    roles = set()
    if is_office(actor):
        roles.add(OFFICE)
    if is_liaison_of(actor, unit.pk) and not is_liaison_closed(year):
        roles.add(LIAISON)
    return roles


def owners_in_year(year: CampaignYear, unit: Unit) -> PostQuerySet:
    """The unit's posts held at some time in the year, leader first: who may own a project."""
    return (
        Post.objects.during_year(year.year)
        .filter(unit=unit)
        .select_related("person")
        .order_by("order", "start", "pk")
    )


def _check_owner(year: CampaignYear, unit: Unit, kind: str, owner: Post) -> None:
    if owner.unit_id != unit.pk:
        raise DomainError(_("The owner must hold a post in the project's unit."))
    if not owners_in_year(year, unit).filter(pk=owner.pk).exists():
        raise DomainError(_("The owner must hold the post during %(year)s.") % {"year": year.year})
    if owner.role != OWNER_ROLE[kind]:
        if OWNER_ROLE[kind] == Role.LEADER:
            raise DomainError(
                _("A %(kind)s belongs to the team leader (the party secretary).")
                % {"kind": Kind(kind).label}
            )
        raise DomainError(_("A deputy project belongs to a deputy, not to the team leader."))


def current_revision(project: Project) -> ProjectRevision:
    return ProjectRevision.objects.select_related("owner__person").get(
        project=project, superseded_by__isnull=True
    )


def _refuse_second(year: CampaignYear, kind: str, owner: Post, project: Project | None) -> None:
    """One project of a kind per owner and year, not counting dropped ones."""
    others = ProjectRevision.objects.filter(
        project__year=year, project__kind=kind, owner=owner, dropped=False,
        superseded_by__isnull=True,
    )  # fmt: skip
    if project is not None:
        others = others.exclude(project=project)
    existing = others.first()
    if existing is not None:
        raise DomainError(
            _("%(name)s already has a %(kind)s in %(year)s: “%(title)s”.")
            % {"name": owner.person.name, "kind": Kind(kind).label, "year": year.year,
               "title": existing.title}
        )  # fmt: skip


def _texts(title: str, goal: str) -> tuple[str, str]:
    title = _line(title, TITLE_MAX)
    goal = (goal or "").strip()[:GOAL_MAX]
    if not title:
        raise DomainError(_("Give the project a title."))
    if not goal:
        raise DomainError(_("Say what the project is to achieve."))
    return title, goal


def _lock_unit(unit: Unit) -> None:
    Unit.objects.select_for_update().filter(pk=unit.pk).first()


def _revision_data(rev: ProjectRevision) -> dict[str, Any]:
    return {"title": rev.title, "goal": rev.goal, "owner": rev.owner_id, "dropped": rev.dropped}


@transaction.atomic
def register_project(
    year: CampaignYear, unit: Unit, *, kind: str, owner: Post, title: str, goal: str, actor: Any
) -> Project:
    _require_writer(actor, year, unit)
    if unit.district_id != year.district_id:
        raise DomainError(_("This unit is not in the campaign year's district."))
    if kind not in Kind.values:
        raise DomainError(_("Unknown kind of project: %(kind)s") % {"kind": kind})
    title, goal = _texts(title, goal)
    _check_owner(year, unit, kind, owner)
    _lock_unit(unit)
    _refuse_second(year, kind, owner, None)
    now = timezone.now()
    project = Project.objects.create(year=year, unit=unit, kind=kind, created=now,
                                     created_by=_who(actor))  # fmt: skip
    rev = ProjectRevision.objects.create(project=project, title=title, goal=goal, owner=owner,
                                         created=now, created_by=_who(actor))  # fmt: skip
    record("projects.project.register", actor=actor, obj=project,
           data={"year": year.year, "unit": unit.code, "kind": kind, **_revision_data(rev)})  # fmt: skip
    return project


def _new_revision(
    project: Project, *, reason: str, actor: Any, **changes: Any
) -> tuple[ProjectRevision, ProjectRevision]:
    reason = _line(reason, REASON_MAX)
    if not reason:
        raise DomainError(_("A correction needs a reason."))
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one writer at a time
    old = current_revision(project)
    values = {"title": old.title, "goal": old.goal, "owner": old.owner, "dropped": old.dropped}
    values |= changes
    new = ProjectRevision.objects.create(project=project, supersedes=old, reason=reason,
                                         created=timezone.now(), created_by=_who(actor),
                                         **values)  # fmt: skip
    return old, new


@transaction.atomic
def revise_project(
    project: Project, *, title: str, goal: str, owner: Post, reason: str, actor: Any
) -> ProjectRevision:
    """A new revision of the title, goal or owner, with the reason."""
    _require_writer(actor, project.year, project.unit)
    title, goal = _texts(title, goal)
    _check_owner(project.year, project.unit, project.kind, owner)
    _lock_unit(project.unit)
    if current_revision(project).dropped:
        raise DomainError(_("The project is dropped: the campaign office can take it back first."))
    _refuse_second(project.year, project.kind, owner, project)
    old, new = _new_revision(project, title=title, goal=goal, owner=owner, reason=reason,
                             actor=actor)  # fmt: skip
    if (old.title, old.goal, old.owner_id) == (new.title, new.goal, new.owner_id):
        raise DomainError(_("Nothing was changed."))
    record("projects.project.revise", actor=actor, obj=project,
           data={**_revision_data(new), "supersedes": old.pk, "reason": new.reason})  # fmt: skip
    return new


@transaction.atomic
def drop_project(project: Project, *, reason: str, actor: Any) -> ProjectRevision:
    _require_writer(actor, project.year, project.unit)
    if current_revision(project).dropped:
        raise DomainError(_("The project is dropped already."))
    old, new = _new_revision(project, dropped=True, reason=reason, actor=actor)
    record("projects.project.drop", actor=actor, obj=project,
           data={"supersedes": old.pk, "reason": new.reason})  # fmt: skip
    return new


@transaction.atomic
def reinstate_project(project: Project, *, reason: str, actor: Any) -> ProjectRevision:
    require_office_actor(actor)
    current = current_revision(project)
    if not current.dropped:
        raise DomainError(_("The project is not dropped."))
    _lock_unit(project.unit)
    _refuse_second(project.year, project.kind, current.owner, project)
    old, new = _new_revision(project, dropped=False, reason=reason, actor=actor)
    record("projects.project.reinstate", actor=actor, obj=project,
           data={"supersedes": old.pk, "reason": new.reason})  # fmt: skip
    return new


def _check_due(year: CampaignYear, due_on: dt.date) -> None:
    if due_on.year != year.year:
        raise DomainError(
            _("The due date %(day)s is not in %(year)s.")
            % {"day": due_on.isoformat(), "year": year.year}
        )


@transaction.atomic
def add_milestone(project: Project, *, title: str, due_on: dt.date, actor: Any) -> Milestone:
    _require_writer(actor, project.year, project.unit)
    if current_revision(project).dropped:
        raise DomainError(_("The project is dropped: the campaign office can take it back first."))
    title = _line(title, TITLE_MAX)
    if not title:
        raise DomainError(_("Name the milestone."))
    _check_due(project.year, due_on)
    milestone = Milestone.objects.create(project=project, title=title, due_on=due_on,
                                         created=timezone.now(), created_by=_who(actor))  # fmt: skip
    record("projects.milestone.add", actor=actor, obj=milestone,
           data={"project": project.pk, "title": title, "due": due_on})  # fmt: skip
    return milestone


def state_of(milestone: Milestone) -> MilestoneState:
    updates = MilestoneUpdate.objects.filter(milestone=milestone).order_by("id")
    return fold(milestone.due_on, updates)


def allowed_actions(actor: Any, project: Project, state: str) -> list[str]:
    """The actions `actor` may take on a milestone of the project in `state` now."""
    return _allowed(roles_of(actor, project.unit, project.year), state)


@transaction.atomic
def update_milestone(
    milestone: Milestone,
    *,
    action: str,
    text: str,
    on: dt.date | None = None,
    file: Any = None,
    actor: Any,
) -> MilestoneUpdate:
    """One step of a milestone (see `state.TRANSITIONS`), with an evidence file if given
    (a note or done only)."""
    project = (
        Project.objects.select_for_update()
        .select_related("year", "unit")
        .get(pk=milestone.project_id)
    )
    _require_writer(actor, project.year, project.unit)
    if current_revision(project).dropped:
        raise DomainError(_("The project is dropped: the campaign office can take it back first."))
    if action not in Action.values:
        raise DomainError(_("Unknown action: %(action)s") % {"action": action})
    state = state_of(milestone)
    who = TRANSITIONS.get((state.state, action))
    if who is None:
        labels = {"open": _("open"), "done": _("done"), "dropped": _("dropped")}
        raise DomainError(
            _("A milestone that is %(state)s cannot be given: %(action)s.")
            % {"state": labels[state.state], "action": Action(action).label}
        )
    if not who & roles_of(actor, project.unit, project.year):
        raise DomainError(_("Only the campaign office can do this."))
    text = _line(text, TEXT_MAX)
    if not text:
        if action == Action.NOTE:
            raise DomainError(_("Write what was done."))
        if action == Action.DONE:
            raise DomainError(_("A milestone done needs its evidence."))
        raise DomainError(_("Give the reason."))
    today = timezone.localdate()
    if action == Action.DONE:
        on = on or today
        if on > today:
            raise DomainError(_("The day it was done cannot be after today."))
        if on.year < project.year.year:
            raise DomainError(
                _("The day it was done cannot be before %(year)s.") % {"year": project.year.year}
            )
    elif action == Action.RESCHEDULE:
        if on is None:
            raise DomainError(_("Give the new due date."))
        _check_due(project.year, on)
        if on == state.due_on:
            raise DomainError(_("The new due date is the current one."))
    else:
        on = None
    if file is not None and action not in (Action.NOTE, Action.DONE):
        raise DomainError(_("Evidence files go with a progress note or with done."))
    update = MilestoneUpdate.objects.create(milestone=milestone, action=action, text=text, on=on,
                                            created=timezone.now(), created_by=_who(actor))  # fmt: skip
    data: dict[str, Any] = {"project": project.pk, "from": state.state, "action": action,
                            "text": text, "on": on}  # fmt: skip
    stored = None
    try:
        if file is not None:
            kept = store_upload(file, "projects")
            stored = kept.stored_name
            evidence = Evidence.objects.create(
                update=update, name=kept.name, kind=kept.kind, size=kept.size,
                sha256=kept.sha256, stored_name=stored, created=update.created,
                created_by=_who(actor),
            )  # fmt: skip
            data["file"] = {"name": evidence.name, "kind": kept.kind, "size": kept.size,
                            "sha256": kept.sha256}  # fmt: skip
        record("projects.milestone.update", actor=actor, obj=milestone, data=data)
    except BaseException:
        if stored is not None:
            default_storage.delete(stored)
        raise
    return update


def _points(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(_("The points must be a number from 0 to 100.")) from None
    if not points.is_finite() or not 0 <= points <= 100:
        raise DomainError(_("The points must be a number from 0 to 100."))
    if points != points.quantize(Decimal("0.01")):
        raise DomainError(_("The points have at most two decimals."))
    return points.quantize(Decimal("0.01"))


def newest_grade(project: Project) -> Grade | None:
    return Grade.objects.filter(project=project).order_by("-id").first()


@transaction.atomic
def grade_project(
    project: Project, *, medal: str, points: Any = None, reason: str, actor: Any
) -> Grade:
    """The office's grade: a medal and/or points with the reason; it replaces the
    project's grade, the earlier ones stay. Neither medal nor points clears a grade."""
    require_office_actor(actor)
    project = Project.objects.select_for_update().select_related("year").get(pk=project.pk)
    if current_revision(project).dropped:
        raise DomainError(_("A dropped project is not graded."))
    if medal not in Medal.values:
        raise DomainError(_("Unknown award: %(medal)s") % {"medal": medal})
    value = _points(points)
    reason = _line(reason, TEXT_MAX)
    if not reason:
        raise DomainError(_("A grade needs its reason."))
    before = newest_grade(project)
    empty = medal == Medal.NONE and value is None
    if empty and (before is None or (before.medal == Medal.NONE and before.points is None)):
        raise DomainError(_("Give an award or points."))
    if before is not None and (before.medal, before.points) == (medal, value):
        raise DomainError(_("The project already has this grade."))
    grade = Grade.objects.create(project=project, medal=medal, points=value, reason=reason,
                                 created=timezone.now(), created_by=_who(actor))  # fmt: skip
    record("projects.grade.add", actor=actor, obj=project,
           data={"medal": medal, "points": None if value is None else str(value),
                 "reason": reason, "replaces": before.pk if before else None})  # fmt: skip
    return grade
