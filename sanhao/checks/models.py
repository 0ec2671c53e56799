"""Spot checks (点调会) and what they find: shortfalls (问题短板弱项) of a unit's team
members and the remedies (补短思路举措) that answer them.

Rows are never changed. A spot check is corrected by a new row that `supersedes` it and
says why (at most once: a one-to-one link), so the current spot checks are those nobody
supersedes; the shortfalls found stay with the row they were entered on, and belong to
its correction too. A remedy's status is its newest `RemedyUpdate` (open while it has
none): progress notes, done with its evidence, dropped with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Post, Unit


class SpotCheck(AppendOnlyModel):
    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="spot_checks", verbose_name=_("year")
    )
    held_on = models.DateField(verbose_name=_("date"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    indicators = models.JSONField(
        default=list,
        verbose_name=_("indicators reviewed"),
        help_text=_("The ids of the year's scheme's indicators the meeting reviewed."),
    )
    units = models.ManyToManyField(
        Unit, related_name="spot_checks", verbose_name=_("units present")
    )
    minutes = models.TextField(blank=True, max_length=5000, verbose_name=_("minutes"))
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
        ordering = ["-held_on", "-id"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="spot_check_correction_has_reason",
                violation_error_message=_("A correction needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Shortfall(AppendOnlyModel):
    """A shortfall a spot check found in one team member's work."""

    spot_check = models.ForeignKey(
        SpotCheck, on_delete=models.PROTECT, related_name="+", verbose_name=_("spot check")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="shortfalls", verbose_name=_("unit")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="shortfalls", verbose_name=_("person")
    )
    text = models.CharField(max_length=500, verbose_name=_("shortfall"))
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
        ordering = ["spot_check", "unit", "id"]
        verbose_name = _("shortfall")
        verbose_name_plural = _("shortfalls")

    def __str__(self) -> str:
        return self.text


class Remedy(AppendOnlyModel):
    """What is to be done about a shortfall, by whom and by when."""

    shortfall = models.OneToOneField(
        Shortfall, on_delete=models.PROTECT, related_name="remedy", verbose_name=_("shortfall")
    )
    measure = models.CharField(max_length=500, verbose_name=_("measure"))
    owner = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="remedies", verbose_name=_("owner")
    )
    due_on = models.DateField(verbose_name=_("due date"))
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
        ordering = ["due_on", "id"]
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")

    def __str__(self) -> str:
        return self.measure


class RemedyStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class RemedyUpdate(AppendOnlyModel):
    """A remedy's progress: a note (the status stays), done with its evidence, dropped
    with a reason, or reopened. The newest one is the remedy's status."""

    remedy = models.ForeignKey(
        Remedy, on_delete=models.PROTECT, related_name="+", verbose_name=_("remedy")
    )
    status = models.CharField(max_length=16, choices=RemedyStatus.choices, verbose_name=_("status"))
    note = models.CharField(
        max_length=500,
        verbose_name=_("evidence or note"),
        help_text=_("Done: the evidence. Dropped: the reason. Otherwise what was done so far."),
    )
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
        ordering = ["remedy", "id"]
        verbose_name = _("remedy update")
        verbose_name_plural = _("remedy updates")
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="remedy_update_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.remedy_id} {self.status}: {self.note}"
