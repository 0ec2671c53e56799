"""Panel scoring (述比排序): after each unit's report, the judges score its candidates.

A `PanelSession` is one sitting of one award category in one campaign year: its
candidates in reporting order (the engine's candidate ids, `sanhao.rankings.bridge`), its
judges with the units each abstains on (their own), the scoring mode of the scheme and a
time window. It moves draft → open → closed, by the office.

A judge's work in progress is a `SheetDraft`, saved over as often as they like (autosave).
Submitting turns it into a `SheetVersion`, which is never changed. A correction of a
submitted sheet is the next version, with its reason; it counts only once the office
accepts it (`CorrectionDecision`, never changed either). The version that counts is the
newest of the first one and the accepted corrections.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Unit


class Category(models.TextChoices):
    """The award categories, as the engine names them (`sanhao.scoring.Category`)."""

    TEAM = "team", _("good team")
    LEADER = "leader", _("good leader")
    DEPUTY = "deputy", _("good deputy")


class Mode(models.TextChoices):
    SCORE = "score", _("four dimensions scored")
    RANK = "rank", _("candidates ranked")


class State(models.TextChoices):
    DRAFT = "draft", _("in preparation")
    OPEN = "open", _("scoring open")
    CLOSED = "closed", _("closed")


class PanelSession(models.Model):
    year = models.ForeignKey(
        CampaignYear,
        on_delete=models.PROTECT,
        related_name="panel_sessions",
        verbose_name=_("campaign year"),
    )
    category = models.CharField(
        max_length=16, choices=Category.choices, verbose_name=_("award category")
    )
    title = models.CharField(max_length=100, verbose_name=_("name of the session"))
    mode = models.CharField(max_length=8, choices=Mode.choices, verbose_name=_("scoring mode"))
    opens = models.DateTimeField(verbose_name=_("scoring opens"))
    closes = models.DateTimeField(verbose_name=_("scoring closes"))
    state = models.CharField(
        max_length=8, choices=State.choices, default=State.DRAFT, verbose_name=_("state")
    )
    reporting = models.CharField(
        max_length=100, blank=True, verbose_name=_("now reporting"),
        help_text=_("The candidate who is reporting now: first on the judges' pages."),
    )  # fmt: skip
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    closed = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        ordering = ["year", "opens", "id"]
        verbose_name = _("panel session")
        verbose_name_plural = _("panel sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="panel_session_closes_after_opens",
                violation_error_message=_("Scoring must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="panel_session_category"
            ),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="panel_session_mode"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="panel_session_state"),
        ]

    def __str__(self) -> str:
        return self.title


class PanelCandidate(models.Model):
    """A candidate of a session, by the engine's id, in reporting order."""

    session = models.ForeignKey(
        PanelSession, on_delete=models.CASCADE, related_name="candidates",
        verbose_name=_("panel session"),
    )  # fmt: skip
    candidate = models.CharField(max_length=100, verbose_name=_("candidate"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    order = models.PositiveIntegerField(verbose_name=_("reporting order"))

    class Meta:
        ordering = ["session", "order", "id"]
        verbose_name = _("panel candidate")
        verbose_name_plural = _("panel candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "candidate"], name="panel_candidate_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PanelJudge(models.Model):
    """A judge assigned to a session, and the units whose candidates they do not score."""

    session = models.ForeignKey(
        PanelSession, on_delete=models.CASCADE, related_name="judges",
        verbose_name=_("panel session"),
    )  # fmt: skip
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats",
        verbose_name=_("judge"),
    )  # fmt: skip
    abstains = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("abstains on"),
        help_text=_("The judge's own unit: its candidates are not scored by this judge."),
    )  # fmt: skip

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("panel judge")
        verbose_name_plural = _("panel judges")
        constraints = [
            models.UniqueConstraint(fields=["session", "judge"], name="panel_judge_once"),
        ]

    def __str__(self) -> str:
        return str(self.judge)


class SheetDraft(models.Model):
    """A judge's sheet being filled in: saved over until it is submitted, then removed.

    `cells` maps a candidate id to its scores (one text per dimension, "" when empty) or,
    in rank mode, to its rank. `corrects` is the version a correction starts from."""

    session = models.ForeignKey(
        PanelSession, on_delete=models.CASCADE, related_name="+", verbose_name=_("panel session")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("judge"),
    )  # fmt: skip
    cells = models.JSONField(default=dict, verbose_name=_("scores"))
    corrects = models.ForeignKey(
        "SheetVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("corrects"),
    )  # fmt: skip
    updated = models.DateTimeField(verbose_name=_("saved at"))

    class Meta:
        verbose_name = _("sheet draft")
        verbose_name_plural = _("sheet drafts")
        constraints = [
            models.UniqueConstraint(fields=["session", "judge"], name="sheet_draft_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.judge_id}"


class SheetVersion(AppendOnlyModel):
    """A submitted sheet: never changed. Version 1 counts at once; a later version is a
    correction (with its reason) that counts once the office accepts it."""

    session = models.ForeignKey(
        PanelSession, on_delete=models.PROTECT, related_name="versions",
        verbose_name=_("panel session"),
    )  # fmt: skip
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("judge"),
    )  # fmt: skip
    number = models.PositiveIntegerField(verbose_name=_("version"))
    cells = models.JSONField(verbose_name=_("scores"))
    reason = models.CharField(
        max_length=500, blank=True, verbose_name=_("reason of the correction")
    )
    submitted = models.DateTimeField(verbose_name=_("submitted at"))

    class Meta:
        ordering = ["session", "judge", "number"]
        verbose_name = _("submitted sheet")
        verbose_name_plural = _("submitted sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "judge", "number"], name="sheet_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="sheet_version_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(reason=""), name="sheet_correction_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.judge_id} v{self.number}"

    @property
    def is_correction(self) -> bool:
        return self.number > 1


class CorrectionDecision(AppendOnlyModel):
    """The office's decision on a correction: accepted (it counts) or rejected."""

    version = models.OneToOneField(
        SheetVersion, on_delete=models.PROTECT, related_name="decision",
        verbose_name=_("submitted sheet"),
    )  # fmt: skip
    accepted = models.BooleanField(verbose_name=_("accepted"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    decided = models.DateTimeField(verbose_name=_("time"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("correction decision")
        verbose_name_plural = _("correction decisions")

    def __str__(self) -> str:
        return f"{self.version} {'accepted' if self.accepted else 'rejected'}"
