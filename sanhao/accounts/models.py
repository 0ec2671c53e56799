"""Accounts and their roles. What each role may see is decided in the apps' access.py."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccountRole(models.TextChoices):
    OFFICE = "office", _("campaign office")
    LIAISON = "liaison", _("unit liaison")
    JUDGE = "judge", _("judge")
    VIEWER = "viewer", _("viewer")


class User(AbstractUser):
    role = models.CharField(
        max_length=16,
        choices=AccountRole.choices,
        default=AccountRole.VIEWER,
        verbose_name=_("role"),
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons",
        verbose_name=_("unit"),
        help_text=_("The one unit a liaison account sees and edits."),
    )
    is_demo = models.BooleanField(
        default=False,
        verbose_name=_("demo account"),
        help_text=_("Demo accounts cannot sign in when DEBUG is off."),
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="liaison") & Q(unit__isnull=False))
                | (~Q(role="liaison") & Q(unit__isnull=True)),
                name="user_liaison_has_exactly_one_unit",
                violation_error_message=_(
                    "A liaison account needs exactly one unit; other accounts none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_office(self) -> bool:
        return self.is_active and self.role == AccountRole.OFFICE

    @property
    def is_liaison(self) -> bool:
        return self.is_active and self.role == AccountRole.LIAISON

    @property
    def is_judge(self) -> bool:
        return self.is_active and self.role == AccountRole.JUDGE

    @property
    def is_viewer(self) -> bool:
        return self.is_active and self.role == AccountRole.VIEWER
