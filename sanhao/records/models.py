"""Process records (全程管控): the meetings a unit holds, as the year's scheme expects them.

The record types are the year's scheme's (`Scheme.records`: by default 中心组月学 monthly
study and 党委会月督 monthly supervision, 12 a year each): a record names one by its id
and a period from 1 to the type's expected count (the month, for a monthly type).

Rows are never changed. A correction is a new row that `supersedes` the earlier one and
says why; a record is superseded at most once (a one-to-one link), so the current records
are those nobody supersedes. Whether a record is on time is computed from its date and
period (`sanhao.records.periods`), never entered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Unit


class ProcessRecord(AppendOnlyModel):
    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="records", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="records", verbose_name=_("unit")
    )
    type = models.SlugField(max_length=64, verbose_name=_("record type"))
    period = models.PositiveSmallIntegerField(verbose_name=_("period"))
    held_on = models.DateField(verbose_name=_("held on"))
    topic = models.CharField(max_length=200, verbose_name=_("topic"))
    attendance = models.JSONField(
        default=list,
        verbose_name=_("attendance"),
        help_text=_("The team on the day: [{number, name, present, reason}]."),
    )
    text = models.TextField(blank=True, max_length=2000, verbose_name=_("summary"))
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        ordering = ["year", "unit", "type", "period", "id"]
        verbose_name = _("process record")
        verbose_name_plural = _("process records")
        indexes = [models.Index(fields=["year", "unit"], name="record_year_unit_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(period__gte=1), name="record_period_positive"),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="record_correction_has_reason",
                violation_error_message=_("A correction needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.type} {self.period}: {self.held_on}"

    @property
    def absent(self) -> list[dict]:
        return [a for a in self.attendance if not a.get("present")]

    @property
    def present_count(self) -> int:
        return sum(1 for a in self.attendance if a.get("present"))


class RecordAttachment(AppendOnlyModel):
    """A file of a record, kept by the default storage under a random name; its type is
    the one its content shows. A correction carries its record's attachments over (new
    rows naming the same stored file)."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"
        DOCX = "docx", "Word"
        XLSX = "xlsx", "Excel"
        PPTX = "pptx", "PowerPoint"

    record = models.ForeignKey(
        ProcessRecord,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("process record"),
    )
    name = models.CharField(max_length=120, verbose_name=_("file name"))
    kind = models.CharField(max_length=8, choices=Kind.choices, verbose_name=_("file type"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name="SHA-256")
    stored_name = models.CharField(max_length=200, verbose_name=_("stored as"))
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
        ordering = ["record", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
