"""A unit's targets (晒目标) and what it reached: the figures of the year's indicators.

The indicators themselves are the year's scheme's (`sanhao.rankings`): a figure names one
by its id. Each figure is a row that is never changed: the annual plan, the prior year's
actual, and the actual of a month, cumulative from January as the statistics bureau
reports it. A correction is a newer row for the same unit, indicator, kind and month;
the newest row is the figure, and every older one stays as its history.

A deputy's 分管 (the indicators they oversee in a year) is `Oversight`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Post, Unit


class Figure(AppendOnlyModel):
    class Kind(models.TextChoices):
        PLAN = "plan", _("annual plan")
        PRIOR = "prior", _("prior-year actual")
        ACTUAL = "actual", _("actual to date")

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="figures", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="figures", verbose_name=_("unit")
    )
    indicator = models.SlugField(max_length=64, verbose_name=_("indicator"))
    kind = models.CharField(max_length=8, choices=Kind.choices, verbose_name=_("kind"))
    month = models.PositiveSmallIntegerField(
        default=0,
        verbose_name=_("month"),
        help_text=_("1-12 for an actual (cumulative to the end of that month); 0 otherwise."),
    )
    value = models.DecimalField(max_digits=20, decimal_places=4, verbose_name=_("value"))
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
        ordering = ["year", "unit", "indicator", "kind", "month", "id"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        indexes = [models.Index(fields=["year", "unit"], name="figure_year_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="actual") & Q(month__gte=1) & Q(month__lte=12))
                | (~Q(kind="actual") & Q(month=0)),
                name="figure_month_fits_kind",
                violation_error_message=_("An actual has a month 1-12; a plan or prior none."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="figure_value_not_negative",
                violation_error_message=_("A figure cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator} {self.kind} {self.month}: {self.value}"


class MonthLock(models.Model):
    """The office closes a month: from then on its actuals change only through the office,
    with a reason."""

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="month_locks", verbose_name=_("year")
    )
    month = models.PositiveSmallIntegerField(verbose_name=_("month"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("locked by"),
    )

    class Meta:
        ordering = ["year", "month"]
        verbose_name = _("month lock")
        verbose_name_plural = _("month locks")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="month_lock_unique"),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="month_lock_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.month}"


class Oversight(models.Model):
    """A deputy's post oversees (分管) an indicator of the year's scheme."""

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="oversights", verbose_name=_("year")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="oversights", verbose_name=_("post")
    )
    indicator = models.SlugField(max_length=64, verbose_name=_("indicator"))

    class Meta:
        ordering = ["year", "post", "indicator"]
        verbose_name = _("oversight")
        verbose_name_plural = _("oversights")
        constraints = [
            models.UniqueConstraint(fields=["year", "post", "indicator"], name="oversight_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.indicator}"


class Pledge(AppendOnlyModel):
    """What a team member (or the team as a whole) publicly pledges for the year (比担当).

    Rows are never changed: a correction is a new row that `supersedes` the pledge, with
    its reason; a withdrawal is such a row marked `withdrawn`. The current pledges are the
    rows nobody supersedes that are not withdrawals.
    """

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("unit")
    )
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("team member"),
        help_text=_("Empty: a pledge of the team as a whole."),
    )
    text = models.CharField(max_length=500, verbose_name=_("pledge"))
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    withdrawn = models.BooleanField(default=False, verbose_name=_("withdrawn"))
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
        ordering = ["year", "unit", "id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        indexes = [models.Index(fields=["year", "unit"], name="pledge_year_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="pledge_correction_has_reason",
                violation_error_message=_("A correction needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn=False) | Q(supersedes__isnull=False),
                name="pledge_withdrawal_names_its_pledge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year_id}: {self.text[:40]}"
