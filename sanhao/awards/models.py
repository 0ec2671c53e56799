"""From a score run to the awards (docs/awards.md): the snapshot (冻结), the deliberation
(研究论证), the public notice (公示) with its objections, the award decision (表彰) and the
awardees' later career (鼓励激励).

Every row here is written once and never changed: a later step is a new row (a removal
from the notice, an objection's next step, a correction of a career event), so that what
was decided, published and awarded stays readable as it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Person, Unit
from sanhao.rankings.models import ScoreRun


class Category(models.TextChoices):
    TEAM = "team", _("good team")
    LEADER = "leader", _("good leader")
    DEPUTY = "deputy", _("good deputy")


CATEGORY_ORDER = [c.value for c in Category]


def _by(related: str = "+") -> models.ForeignKey:  # type: ignore[type-arg,unused-ignore]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related,
        verbose_name=_("by"),
    )  # fmt: skip


class Snapshot(AppendOnlyModel):
    """A score run frozen: the scheme's text, the facts, the result and the statistics as
    one canonical JSON document (`content`), its SHA-256 and the audit chain head at the
    moment of freezing. `manage.py verify_snapshot` recomputes the result and the
    statistics from the content and finds the same bytes; later edits of the year's
    record change nothing here."""

    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="snapshots",
        verbose_name=_("campaign year"),
    )  # fmt: skip
    run = models.OneToOneField(
        ScoreRun, on_delete=models.PROTECT, related_name="snapshot", verbose_name=_("score run")
    )
    content = models.TextField(verbose_name=_("snapshot document"))
    content_hash = models.CharField(max_length=64, unique=True, verbose_name=_("snapshot hash"))
    chain_head = models.CharField(max_length=80, verbose_name=_("audit chain head"))
    created = models.DateTimeField(verbose_name=_("frozen at"))
    created_by = _by()

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")

    def __str__(self) -> str:
        return f"{self.year} {self.short_hash}"

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


class Deliberation(AppendOnlyModel):
    """A meeting of the deliberation (研究论证) on a frozen snapshot and the list it
    proposed. A later meeting on the year supersedes it until a notice is published."""

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="deliberations",
        verbose_name=_("snapshot"),
    )  # fmt: skip
    held_on = models.DateField(verbose_name=_("date of the meeting"))
    attendees = models.TextField(verbose_name=_("attendees"))
    agenda = models.TextField(verbose_name=_("agenda"))
    created = models.DateTimeField(verbose_name=_("recorded at"))
    created_by = _by()

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")

    def __str__(self) -> str:
        return f"{self.snapshot.year} {self.held_on}"


class Action(models.TextChoices):
    AGREE = "agree", _("agreed")
    REMOVE = "remove", _("removed")
    ADD = "add", _("added from below the quota line")


class Item(AppendOnlyModel):
    """The deliberation's decision on one candidate: agreed (the engine proposed them),
    removed (the engine proposed them, the meeting did not, with a reason) or added
    (from below the quota line or a tie, with a reason). The proposed list is the
    agreed and the added, in `order`."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="items",
        verbose_name=_("deliberation"),
    )  # fmt: skip
    category = models.CharField(max_length=16, choices=Category.choices, verbose_name=_("category"))
    candidate = models.CharField(max_length=100, verbose_name=_("candidate"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))  # fmt: skip
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("person"),
    )  # fmt: skip
    name = models.CharField(max_length=200, verbose_name=_("name"))
    post = models.CharField(max_length=100, blank=True, verbose_name=_("post"))
    rank = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("rank"))
    scores = models.JSONField(default=dict, verbose_name=_("scores"))  # K P M B D S as text
    action = models.CharField(max_length=8, choices=Action.choices, verbose_name=_("decision"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    order = models.PositiveIntegerField(verbose_name=_("order"))

    class Meta:
        ordering = ["deliberation", "order"]
        verbose_name = _("deliberation decision")
        verbose_name_plural = _("deliberation decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "candidate"], name="awards_item_once_per_meeting"
            ),
            models.CheckConstraint(
                condition=models.Q(action="agree") | ~models.Q(reason=""),
                name="awards_item_change_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.action}"

    @property
    def proposed(self) -> bool:
        return self.action != Action.REMOVE


class Notice(AppendOnlyModel):
    """The public notice (公示) of a deliberation's proposed list: open from `starts` to
    `ends` (5 working days by the official calendar), public at /gongshi/<pk>/."""

    deliberation = models.OneToOneField(
        Deliberation, on_delete=models.PROTECT, related_name="notice",
        verbose_name=_("deliberation"),
    )  # fmt: skip
    title = models.CharField(max_length=200, verbose_name=_("title"))
    issuer = models.CharField(max_length=100, verbose_name=_("issuing office"))
    body = models.TextField(verbose_name=_("text"))
    how_to_object = models.TextField(verbose_name=_("how to object"))
    contact = models.CharField(max_length=200, verbose_name=_("contact"))
    starts = models.DateField(verbose_name=_("first day"))
    ends = models.DateField(verbose_name=_("last day"))
    working_days = models.PositiveSmallIntegerField(verbose_name=_("working days"))
    show_scores = models.BooleanField(default=False, verbose_name=_("show the scores"))
    published = models.DateTimeField(verbose_name=_("published at"))
    published_by = _by()

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="awards_notice_period"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Removal(AppendOnlyModel):
    """A nominee taken off the notice's list during the notice, with the reason (and
    the objection that led to it, if one did)."""

    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, related_name="removals", verbose_name=_("notice")
    )
    item = models.OneToOneField(
        Item, on_delete=models.PROTECT, related_name="removal", verbose_name=_("nominee")
    )
    objection = models.ForeignKey(
        "Objection", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("objection"),
    )  # fmt: skip
    reason = models.TextField(verbose_name=_("reason"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _by()

    class Meta:
        ordering = ["id"]
        verbose_name = _("removal from the notice")
        verbose_name_plural = _("removals from the notice")

    def __str__(self) -> str:
        return f"{self.item} {self.reason[:20]}"


class Objection(AppendOnlyModel):
    """An objection sent through the notice's page. One without a real name and a phone
    is kept as an anonymous attempt (`anonymous`) and not handled."""

    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, related_name="objections", verbose_name=_("notice")
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="objections",
        verbose_name=_("about"),
    )  # fmt: skip
    real_name = models.CharField(max_length=50, blank=True, verbose_name=_("real name"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("phone"))
    content = models.TextField(verbose_name=_("objection"))
    anonymous = models.BooleanField(default=False, verbose_name=_("anonymous"))
    created = models.DateTimeField(verbose_name=_("received at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.pk}"


class Step(models.TextChoices):
    VERIFYING = "verifying", _("being verified")
    UPHELD = "upheld", _("upheld")
    NOT_UPHELD = "not_upheld", _("not upheld")


class ObjectionStep(AppendOnlyModel):
    """The office's handling of an objection, one row per step: verifying, then upheld or
    not upheld, each with a note."""

    objection = models.ForeignKey(
        Objection, on_delete=models.PROTECT, related_name="steps", verbose_name=_("objection")
    )
    step = models.CharField(max_length=16, choices=Step.choices, verbose_name=_("step"))
    note = models.TextField(verbose_name=_("note"))
    created = models.DateTimeField(verbose_name=_("time"))
    created_by = _by()

    class Meta:
        ordering = ["objection", "id"]
        verbose_name = _("objection step")
        verbose_name_plural = _("objection steps")
        constraints = [
            models.UniqueConstraint(fields=["objection", "step"], name="awards_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.objection_id} {self.step}"


class Decision(AppendOnlyModel):
    """The award decision (表彰决定) after the notice: its document number and date. The
    awards are its `awards`."""

    notice = models.OneToOneField(
        Notice, on_delete=models.PROTECT, related_name="decision", verbose_name=_("notice")
    )
    number = models.CharField(max_length=50, unique=True, verbose_name=_("document number"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    issuer = models.CharField(max_length=100, verbose_name=_("issuing office"))
    body = models.TextField(verbose_name=_("text"))
    issued_on = models.DateField(verbose_name=_("date of issue"))
    created = models.DateTimeField(verbose_name=_("recorded at"))
    created_by = _by()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")

    def __str__(self) -> str:
        return self.number


class Award(AppendOnlyModel):
    """One award of a decision, attached to its unit and, for a leader or a deputy, to the
    person."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="awards", verbose_name=_("decision")
    )
    year = models.ForeignKey(
        CampaignYear, on_delete=models.PROTECT, related_name="awards",
        verbose_name=_("campaign year"),
    )  # fmt: skip
    category = models.CharField(max_length=16, choices=Category.choices, verbose_name=_("category"))
    candidate = models.CharField(max_length=100, verbose_name=_("candidate"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="awards", verbose_name=_("unit")
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="awards",
        verbose_name=_("person"),
    )  # fmt: skip
    name = models.CharField(max_length=200, verbose_name=_("name"))
    post = models.CharField(max_length=100, blank=True, verbose_name=_("post"))
    order = models.PositiveIntegerField(verbose_name=_("order"))

    class Meta:
        ordering = ["decision", "order"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(fields=["year", "candidate"], name="awards_award_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class EventKind(models.TextChoices):
    SELECTED = "selected", _("selected for a heavier post (选拔重用)")
    PROMOTED = "promoted", _("promoted in rank (晋升职级)")
    REASSIGNED = "reassigned", _("reassigned (交流任职)")


class CareerEvent(AppendOnlyModel):
    """A later career event of an awardee (鼓励激励), linked to the award. A wrong entry is
    withdrawn by a new row that names it in `withdraws`, with the reason."""

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="career_events", verbose_name=_("award")
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices, verbose_name=_("kind"))
    happened_on = models.DateField(verbose_name=_("date"))
    new_post = models.CharField(max_length=100, blank=True, verbose_name=_("new post"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    withdraws = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawn_by",
        verbose_name=_("withdraws"),
    )  # fmt: skip
    created = models.DateTimeField(verbose_name=_("recorded at"))
    created_by = _by()

    class Meta:
        ordering = ["award", "happened_on", "id"]
        verbose_name = _("career event")
        verbose_name_plural = _("career events")

    def __str__(self) -> str:
        return f"{self.award} {self.kind}"
