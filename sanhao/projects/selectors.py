"""What the pages read: the projects of a year (or of some units, or of one kind) with
their current revision, status, milestone counts and grade, and the ranking by kind.
A constant number of queries whatever the number of units and projects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sanhao.campaigns.models import CampaignYear
from sanhao.orgs.models import Unit
from sanhao.projects.models import (
    MEDAL_ORDER,
    Grade,
    Medal,
    Milestone,
    MilestoneUpdate,
    Project,
    ProjectRevision,
    Status,
)
from sanhao.projects.state import DONE, DROPPED, MilestoneState, fold, project_status


@dataclass
class Row:
    project: Project
    revision: ProjectRevision
    status: str
    milestones: list[tuple[Milestone, MilestoneState]] = field(default_factory=list)
    grade: Grade | None = None
    late: int = 0  # milestones done after their due date or open past it
    overdue: int = 0  # milestones open past their due date
    rank: int | None = None
    tied: bool = False

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def done_count(self) -> int:
        return sum(1 for _m, s in self.milestones if s.state == DONE)

    @property
    def kept_count(self) -> int:
        return sum(1 for _m, s in self.milestones if s.state != DROPPED)

    @property
    def graded(self) -> bool:
        g = self.grade
        return g is not None and (g.medal != Medal.NONE or g.points is not None)


def _projects(
    year: CampaignYear, units: Iterable[Unit] | QuerySet[Unit] | None, kind: str | None
) -> QuerySet[Project]:
    rows = Project.objects.filter(year=year)
    if units is not None:
        rows = rows.filter(unit__in=units if isinstance(units, QuerySet) else list(units))
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def project_rows(
    year: CampaignYear,
    units: Iterable[Unit] | QuerySet[Unit] | None = None,
    *,
    kind: str | None = None,
    today: dt.date | None = None,
) -> list[Row]:
    """The year's projects (of `units`, of `kind`), in unit order; five queries."""
    chosen = _projects(year, units, kind)
    projects = list(
        chosen.select_related("unit").order_by("unit__order", "unit__code", "kind", "id")
    )
    revisions = {
        r.project_id: r
        for r in ProjectRevision.objects.filter(project__in=chosen, superseded_by__isnull=True)
        .select_related("owner__person")
    }  # fmt: skip
    milestones: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(project__in=chosen).order_by("due_on", "id"):
        milestones.setdefault(m.project_id, []).append(m)
    updates: dict[int, list[Any]] = {}
    for u in (
        MilestoneUpdate.objects.filter(milestone__project__in=chosen)
        .order_by("id")
        .only("id", "milestone_id", "action", "on")
    ):
        updates.setdefault(u.milestone_id, []).append(u)
    grades: dict[int, Grade] = {}
    for g in Grade.objects.filter(project__in=chosen).order_by("id"):
        grades[g.project_id] = g  # the newest wins
    today = today or timezone.localdate()
    rows = []
    for project in projects:
        revision = revisions[project.pk]
        states = [
            (m, fold(m.due_on, updates.get(m.pk, []))) for m in milestones.get(project.pk, [])
        ]
        status = project_status(revision.dropped, [s for _m, s in states])
        rows.append(Row(project, revision, status, states, grades.get(project.pk),
                        late=sum(1 for _m, s in states if s.late(today)),
                        overdue=sum(1 for _m, s in states if s.overdue(today))))  # fmt: skip
    return rows


def _key(row: Row) -> tuple[int, Decimal, int]:
    grade = row.grade
    assert grade is not None
    points = grade.points
    return (0 if points is not None else 1, -(points or Decimal(0)),
            MEDAL_ORDER.index(Medal(grade.medal)))  # fmt: skip


def ranking(year: CampaignYear, kind: str) -> tuple[list[Row], list[Row]]:
    """The graded projects of a kind, ranked by points (none last) then award, with
    competition ranks (1, 2, 2, 4: equal points and award tie); and the ungraded ones.
    Dropped projects are left out."""
    rows = [r for r in project_rows(year, kind=kind) if r.status != Status.DROPPED]
    graded = sorted((r for r in rows if r.graded), key=_key)
    for index, row in enumerate(graded):
        if index and _key(graded[index - 1]) == _key(row):
            row.rank = graded[index - 1].rank
            row.tied = graded[index - 1].tied = True
        else:
            row.rank = index + 1
    return graded, [r for r in rows if not r.graded]
