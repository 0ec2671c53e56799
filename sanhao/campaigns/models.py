"""A campaign year (年度) and its phase. Phases move forward only, by the office."""

from __future__ import annotations

import itertools

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanhao.orgs.models import District


class Phase(models.TextChoices):
    PLAN = "plan", _("plan")
    PROCESS = "process", _("process control")
    EVALUATION = "evaluation", _("evaluation")
    DELIBERATION = "deliberation", _("deliberation")
    NOTICE = "notice", _("public notice")
    DECIDED = "decided", _("decided")


# The allowed moves: each phase to the next one, never back.
PHASE_ORDER = [p.value for p in Phase]
NEXT_PHASE: dict[str, str] = dict(itertools.pairwise(PHASE_ORDER))


class CampaignYear(models.Model):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="years", verbose_name=_("district")
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    title = models.CharField(
        max_length=100,
        blank=True,
        verbose_name=_("title"),
        help_text=_("Empty: the standard title of the year, in the reader's language."),
    )
    phase = models.CharField(
        max_length=16, choices=Phase.choices, default=Phase.PLAN, verbose_name=_("phase")
    )
    phase_changed = models.DateTimeField(null=True, blank=True, verbose_name=_("phase changed"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("campaign year")
        verbose_name_plural = _("campaign years")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"],
                name="campaign_year_unique",
                violation_error_message=_("This campaign year is already open."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or _("%(year)s Three Goods campaign") % {"year": self.year}

    @property
    def next_phase(self) -> str | None:
        return NEXT_PHASE.get(self.phase)

    @property
    def next_phase_label(self) -> str:
        nxt = self.next_phase
        return str(Phase(nxt).label) if nxt else ""

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase)

    @property
    def closed_to_liaisons(self) -> bool:
        """From the evaluation on, the year's record is written by the office alone."""
        return self.phase_index >= PHASE_ORDER.index(Phase.EVALUATION)
