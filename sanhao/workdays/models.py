"""The office's entry of a year's public holidays and adjusted working days.

The `chinesecalendar` package knows the years the State Council has published up to its
release; for a later year the office types in the General Office's notice. Each entry is
a new version of that year's calendar (append-only); the newest version counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanhao.lib.append_only import AppendOnlyModel


class CalendarVersion(AppendOnlyModel):
    """One entry of a year's calendar as the office typed it; the newest number counts."""

    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("lines as entered"))
    created = models.DateTimeField(_("time"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")
        ordering = ["year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="workdays_one_number_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.number}"


class CalendarDay(AppendOnlyModel):
    """A day of a version: a public holiday (off) or an adjusted working day (work)."""

    class Kind(models.TextChoices):
        OFF = "off", _("holiday")
        WORK = "work", _("adjusted working day")

    version = models.ForeignKey(
        CalendarVersion, on_delete=models.PROTECT, related_name="days", verbose_name=_("version")
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["version", "day"]
        constraints = [
            models.UniqueConstraint(fields=["version", "day"], name="workdays_one_entry_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"
