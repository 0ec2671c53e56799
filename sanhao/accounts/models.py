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
    must_change_password = models.BooleanField(
        default=False,
        verbose_name=_("must change password"),
        help_text=_("Set when the office gave the account a password: it is asked for a new one "
                    "at its next sign-in."),
    )  # fmt: skip

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


class UserSession(models.Model):
    """Which database session belongs to which account, written at sign-in: ending an
    account's sessions deletes its few rows by key instead of reading every session."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}"
