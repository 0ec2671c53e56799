"""Events that move scores: bonus items, deductions and vetoes (一票否决) of the year.

The office enters them, with their date and what shows them; the unit they concern can
read them and never edit them. An event is never changed: taking one back is a
withdrawal, with its reason, and the event stays in the record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Post, Unit


class ScoreEvent(AppendOnlyModel):
    class Kind(models.TextChoices):
        BONUS = "bonus", _("bonus")
        DEDUCTION = "deduction", _("deduction")
        VETO = "veto", _("veto")

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="score_events", verbose_name=_("year")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    item = models.SlugField(
        max_length=64,
        verbose_name=_("item"),
        help_text=_("The id of the scheme's bonus or deduction item, or of the veto kind."),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="score_events", verbose_name=_("unit")
    )
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="score_events",
        verbose_name=_("person"),
        help_text=_("Empty: the event concerns the unit's team."),
    )
    count = models.PositiveIntegerField(default=1, verbose_name=_("count"))
    happened_on = models.DateField(verbose_name=_("date"))
    note = models.CharField(max_length=500, verbose_name=_("what happened"))
    evidence = models.CharField(max_length=500, blank=True, verbose_name=_("evidence"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("score event")
        verbose_name_plural = _("score events")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="score_event_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.kind} {self.item} {self.happened_on}"


class Withdrawal(AppendOnlyModel):
    """An event taken back: it no longer moves a score, and says why."""

    event = models.OneToOneField(
        ScoreEvent, on_delete=models.PROTECT, related_name="withdrawal", verbose_name=_("event")
    )
    reason = models.CharField(max_length=500, verbose_name=_("reason"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.reason}"
