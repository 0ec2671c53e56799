"""In-app notices: what `send_reminders` raises for a person, read on their page and
e-mailed where e-mail is configured.

A notice is about one thing (`key`, e.g. `remedy:12`) on one day (`for_date`): the
database refuses a second notice of a kind about the same thing to the same person on the
same day, so running the reminders twice a day raises nothing new. `read_at` and
`email_sent_at` are the only fields that change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanhao.orgs.models import Unit


class NoticeKind(models.TextChoices):
    RECORD_MISSING = "record_missing", _("record missing")
    REMEDY_DUE = "remedy_due", _("remedy due soon")
    REMEDY_OVERDUE = "remedy_overdue", _("remedy overdue")
    DEVIATION_OVERDUE = "deviation_overdue", _("deviation overdue")


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("unit"),
    )
    kind = models.CharField(max_length=32, choices=NoticeKind.choices, verbose_name=_("kind"))
    key = models.CharField(
        max_length=100,
        verbose_name=_("about"),
        help_text=_("What the notice is about, e.g. remedy:12."),
    )
    subject = models.CharField(max_length=300, verbose_name=_("subject"))
    link = models.CharField(max_length=300, blank=True, verbose_name=_("link"))
    for_date = models.DateField(verbose_name=_("for the day"))
    created = models.DateTimeField(verbose_name=_("time"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read"))
    email_sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("e-mailed"))

    class Meta:
        ordering = ["-for_date", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread_idx"),
            models.Index(fields=["for_date", "kind"], name="notice_day_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key", "for_date"], name="notice_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return self.subject
