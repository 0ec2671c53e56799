"""A campaign year's scheme (方案), as the engine's TOML file, in numbered versions.

A version is never changed or removed: a change is a new version, with a reason once
the year has reached the evaluation. Each score run will name the version it used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel


class SchemeVersion(AppendOnlyModel):
    year = models.ForeignKey(
        CampaignYear,
        on_delete=models.PROTECT,
        related_name="scheme_versions",
        verbose_name=_("campaign year"),
    )
    number = models.PositiveIntegerField(verbose_name=_("version"))
    source = models.TextField(verbose_name=_("scheme file"))
    scheme_hash = models.CharField(max_length=64, verbose_name=_("scheme hash"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        ordering = ["year", "-number"]
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="scheme_version_unique"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="scheme_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.number}"

    @property
    def short_hash(self) -> str:
        return self.scheme_hash[:12]

    @property
    def filename(self) -> str:
        return f"scheme-{self.year.year}-v{self.number}.toml"


class ScoreRun(AppendOnlyModel):
    """One run of the engine on the year's facts as the database held them: the facts
    document, the result document (the engine's bytes), and what produced them. A run
    never changes; pages read the newest. Recomputing `facts` with the scheme version's
    `source` gives `result` again, byte for byte."""

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="score_runs",
        verbose_name=_("campaign year"),
    )  # fmt: skip
    scheme_version = models.ForeignKey(
        SchemeVersion, on_delete=models.PROTECT, related_name="runs",
        verbose_name=_("scheme version"),
    )  # fmt: skip
    engine_version = models.CharField(max_length=32, verbose_name=_("engine version"))
    scheme_hash = models.CharField(max_length=64, verbose_name=_("scheme hash"))
    input_hash = models.CharField(max_length=64, verbose_name=_("input hash"))
    facts = models.TextField(verbose_name=_("facts document"))
    result = models.TextField(verbose_name=_("result document"))
    # The statistics beside the ranking (docs/scoring.md, seeded): empty for a run
    # stored before they were kept with it.
    statistics = models.TextField(blank=True, default="", verbose_name=_("statistics"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("computed by"),
    )  # fmt: skip

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"


class ScoreLine(models.Model):
    """A run's line for one unit (its K inputs) or one candidate (all its numbers and
    their breakdown), copied from the result document when the run is stored, so that a
    page reads its own lines without parsing the whole document."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="lines")
    unit = models.CharField(max_length=100)
    candidate = models.CharField(max_length=100, blank=True)  # empty: the unit's line
    category = models.CharField(max_length=16, blank=True)
    k = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    document = models.JSONField()

    class Meta:
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["run", "unit"], name="score_line_run_unit_idx")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.unit} {self.candidate}"
