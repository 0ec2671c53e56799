"""Deviations (纠偏): what the monthly supervision (党委会月督) finds wrong in a unit's work,
what must be corrected and by when, tracked to closure with its evidence.

Rows are never changed. The office raises a deviation, optionally naming the supervision
record it came from; its status is its newest `DeviationUpdate` (open while it has none):
progress notes, closed with the evidence (text, and a file if one is at hand), dropped
with a reason, reopened. Overdue is computed: open after its deadline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Unit
from sanhao.records.models import ProcessRecord


class Deviation(AppendOnlyModel):
    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("unit")
    )
    record = models.ForeignKey(
        ProcessRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supervision record"),
        help_text=_("The monthly supervision meeting that found it, if it is recorded."),
    )
    found_on = models.DateField(verbose_name=_("found on"))
    problem = models.CharField(max_length=500, verbose_name=_("what is wrong"))
    correction = models.CharField(max_length=500, verbose_name=_("what must be corrected"))
    deadline = models.DateField(verbose_name=_("deadline"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        indexes = [models.Index(fields=["year", "unit"], name="deviation_year_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("found_on")),
                name="deviation_deadline_after_found",
                violation_error_message=_("The deadline cannot be before the day it was found."),
            ),
            models.CheckConstraint(
                condition=~Q(problem="") & ~Q(correction=""), name="deviation_has_texts"
            ),
        ]

    def __str__(self) -> str:
        return self.problem


class DeviationStatus(models.TextChoices):
    OPEN = "open", _("being corrected")
    CLOSED = "closed", _("corrected and closed")
    DROPPED = "dropped", _("dropped")


class DeviationUpdate(AppendOnlyModel):
    """A deviation's progress: a note (the status stays), closed with its evidence,
    dropped with a reason, or reopened; an evidence file may come with it. The newest one
    is the deviation's status."""

    deviation = models.ForeignKey(
        Deviation, on_delete=models.PROTECT, related_name="+", verbose_name=_("deviation")
    )
    status = models.CharField(
        max_length=16, choices=DeviationStatus.choices, verbose_name=_("status")
    )
    note = models.CharField(
        max_length=500,
        verbose_name=_("evidence or note"),
        help_text=_(
            "Corrected: the evidence. Dropped: the reason. Otherwise what was done so far."
        ),
    )
    file_name = models.CharField(max_length=120, blank=True, verbose_name=_("file name"))
    file_kind = models.CharField(max_length=8, blank=True, verbose_name=_("file type"))
    file_size = models.PositiveIntegerField(default=0, verbose_name=_("size"))
    file_sha256 = models.CharField(max_length=64, blank=True, verbose_name="SHA-256")
    stored_name = models.CharField(max_length=200, blank=True, verbose_name=_("stored as"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        ordering = ["deviation", "id"]
        verbose_name = _("deviation update")
        verbose_name_plural = _("deviation updates")
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="deviation_update_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.status}: {self.note}"

    @property
    def has_file(self) -> bool:
        return bool(self.stored_name)
