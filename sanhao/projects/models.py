"""Projects (书记项目, 班长示范项目, 班副争先项目): a unit's projects of a year, their
milestones, the progress reported on them with its evidence, and the office's grades.

Rows are never changed. A project's title, goal and owner are its newest `ProjectRevision`
(each one after the first `supersedes` the one before and says why); a revision can also
drop the project or, by the office, take it back. A milestone's state is the result of its
`MilestoneUpdate`s in order: notes, done (with its evidence and the day), a new due date
(with the reason), reopened or dropped by the office. A project's status — planned, in
progress, done, dropped — is computed from these rows, never entered. Its grade is the
newest `Grade`; the earlier ones stay as its history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Post, Role, Unit


class Kind(models.TextChoices):
    SECRETARY = "secretary", _("secretary project")
    LEADER = "leader", _("leader demonstration project")
    DEPUTY = "deputy", _("deputy project")


# Who owns a project of each kind: the secretary's and the leader's projects are the
# team leader's (党委书记 / 党工委书记), a deputy project is one deputy's.
OWNER_ROLE: dict[str, str] = {
    Kind.SECRETARY: Role.LEADER,
    Kind.LEADER: Role.LEADER,
    Kind.DEPUTY: Role.DEPUTY,
}


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


def _entered_by() -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )


class Project(AppendOnlyModel):
    """What never changes about a project: its year, unit and kind."""

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="projects", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="projects", verbose_name=_("unit")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _entered_by()

    class Meta:
        ordering = ["year", "unit__order", "kind", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["year", "unit"], name="project_year_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.pk}"


class ProjectRevision(AppendOnlyModel):
    """The project's title, goal and owner as of this row; the newest one counts."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    title = models.CharField(max_length=200, verbose_name=_("project title"))
    goal = models.TextField(max_length=2000, verbose_name=_("goal"))
    owner = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="projects", verbose_name=_("owner")
    )
    dropped = models.BooleanField(default=False, verbose_name=_("dropped"))
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _entered_by()

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("project revision")
        verbose_name_plural = _("project revisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="project_revision_has_reason",
                violation_error_message=_("A correction needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(AppendOnlyModel):
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    title = models.CharField(max_length=200, verbose_name=_("milestone"))
    due_on = models.DateField(verbose_name=_("due date"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _entered_by()

    class Meta:
        ordering = ["project", "due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class Action(models.TextChoices):
    NOTE = "note", _("progress note")
    DONE = "done", _("done")
    RESCHEDULE = "reschedule", _("new due date")
    REOPEN = "reopen", _("reopened")
    DROP = "drop", _("dropped")


class MilestoneUpdate(AppendOnlyModel):
    """One step of a milestone: a note, done on a day with its evidence, a new due date
    with the reason, reopened or dropped with the reason."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, related_name="+", verbose_name=_("milestone")
    )
    action = models.CharField(max_length=16, choices=Action.choices, verbose_name=_("action"))
    text = models.CharField(
        max_length=500,
        verbose_name=_("evidence or note"),
        help_text=_("Done: the evidence. A new date, reopened, dropped: the reason."),
    )
    on = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("date"),
        help_text=_("Done: the day it was done. A new due date: that date."),
    )
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _entered_by()

    class Meta:
        ordering = ["milestone", "id"]
        verbose_name = _("milestone update")
        verbose_name_plural = _("milestone updates")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="milestone_update_has_text"),
            models.CheckConstraint(
                condition=Q(action__in=["done", "reschedule"], on__isnull=False)
                | (~Q(action__in=["done", "reschedule"]) & Q(on__isnull=True)),
                name="milestone_update_date_when_needed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} {self.action}: {self.text}"


class Evidence(AppendOnlyModel):
    """A file that goes with a milestone update, kept by the default storage under a
    random name, its type the one its content shows (as a process record's attachment)."""

    class FileKind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"
        DOCX = "docx", "Word"
        XLSX = "xlsx", "Excel"
        PPTX = "pptx", "PowerPoint"

    update = models.ForeignKey(
        MilestoneUpdate, on_delete=models.PROTECT, related_name="+", verbose_name=_("update")
    )
    name = models.CharField(max_length=120, verbose_name=_("file name"))
    kind = models.CharField(max_length=8, choices=FileKind.choices, verbose_name=_("file type"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name="SHA-256")
    stored_name = models.CharField(max_length=200, verbose_name=_("stored as"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _entered_by()

    class Meta:
        ordering = ["update", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class Medal(models.TextChoices):
    GOLD = "gold", _("gold award")
    SILVER = "silver", _("silver award")
    BRONZE = "bronze", _("bronze award")
    NONE = "none", _("no award")


# Better first: the ranking's second key after the points.
MEDAL_ORDER = [Medal.GOLD, Medal.SILVER, Medal.BRONZE, Medal.NONE]


class Grade(AppendOnlyModel):
    """The office's grade of a project: a medal and/or points, with the reason. The
    newest one counts; a grade with neither medal nor points clears the grade."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    medal = models.CharField(max_length=8, choices=Medal.choices, verbose_name=_("award"))
    points = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, verbose_name=_("points")
    )
    reason = models.CharField(max_length=500, verbose_name=_("reason"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _entered_by()

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("project grade")
        verbose_name_plural = _("project grades")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="project_grade_has_reason"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0, points__lte=100),
                name="project_grade_points_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.medal} {self.points}"
