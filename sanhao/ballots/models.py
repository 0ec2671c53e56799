"""Democratic ballots (民主测评): a session, its candidates and voter groups, the voters'
one-time codes, the ballots and their receipts, the paper ballots keyed in by two clerks.

What the rows may hold is the point of this app:
- a **code** (`VoterCode`) is stored only as a keyed hash (HMAC-SHA-256, `BALLOT_CODE_KEY`);
  the plain code exists once, on the printed slip;
- a **ballot** (`Ballot`) holds its session, its voter group and its grades: no code, no
  account, no address and no time. Its row links to its code only by what the database
  itself keeps (row order, PostgreSQL's `xmin` and `ctid`, SQLite's `rowid`) until the
  session is **sealed**, when its ballots, receipts and codes are rewritten in one
  transaction and the tables' files vacuumed (`services.close_session`, docs/ballots.md;
  tests/test_anonymity.py);
- a **receipt** (`Receipt`) is the keyed hash of a random token given to the voter: it says
  "counted" later and holds nothing of the ballot.

Ballots are append-only: the seal is the one rewrite, and it keeps every ballot's content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.append_only import AppendOnlyModel
from sanhao.orgs.models import Unit


class SessionState(models.TextChoices):
    DRAFT = "draft", _("being prepared")
    OPEN = "open", _("open")
    SEALED = "sealed", _("closed and sealed")


class BallotSession(models.Model):
    """One sitting of the democratic ballot: who is graded, by whom, when."""

    year = models.ForeignKey(
        CampaignYear,
        on_delete=models.PROTECT,
        related_name="ballot_sessions",
        verbose_name=_("campaign year"),
    )
    title = models.CharField(max_length=120, verbose_name=_("title"))
    # The candidates: one unit's team and members, or every unit's candidates of one category.
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    category = models.CharField(max_length=16, blank=True, verbose_name=_("category"))
    opens_at = models.DateTimeField(verbose_name=_("opens at"))
    closes_at = models.DateTimeField(verbose_name=_("closes at"))
    state = models.CharField(
        max_length=8,
        choices=SessionState.choices,
        default=SessionState.DRAFT,
        verbose_name=_("state"),
    )
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Fixed at opening from the year's scheme: each category's grades (best first, then the
    # abstention), the most top grades a ballot may give, and the top grade.
    rules = models.JSONField(default=dict, blank=True, verbose_name=_("rules"))
    # Set at close: the audit chain's head then, shown with the results.
    chain_head = models.CharField(max_length=100, blank=True, verbose_name=_("audit chain head"))

    class Meta:
        ordering = ["opens_at", "pk"]
        verbose_name = _("ballot session")
        verbose_name_plural = _("ballot sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="ballot_session_window"
            ),
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(category=""))
                | (Q(unit__isnull=True) & ~Q(category="")),
                name="ballot_session_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def fact_id(self) -> str:
        """The session's id in the engine's facts."""
        return f"S{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.state == SessionState.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state == SessionState.OPEN

    @property
    def is_finished(self) -> bool:
        return self.state == SessionState.SEALED


class SessionCandidate(models.Model):
    """A candidate on the session's ballot, by the engine's candidate id, in ballot order."""

    session = models.ForeignKey(BallotSession, on_delete=models.CASCADE, related_name="candidates")
    candidate = models.CharField(max_length=80, verbose_name=_("candidate"))
    category = models.CharField(max_length=16, verbose_name=_("category"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "candidate"], name="ballot_candidate_once")
        ]

    def __str__(self) -> str:
        return self.name


class VoterGroup(models.Model):
    """A voter group of the session (the scheme's groups: 区领导, 镇街干部, …), how many were
    invited and how many codes were issued and used. The counts outlive the seal, which
    clears the codes' own marks."""

    session = models.ForeignKey(BallotSession, on_delete=models.CASCADE, related_name="groups")
    group = models.CharField(max_length=40, verbose_name=_("voter group"))
    name = models.CharField(max_length=60, verbose_name=_("name"))
    invited = models.PositiveIntegerField(default=0, verbose_name=_("invited"))
    issued = models.PositiveIntegerField(default=0, verbose_name=_("codes issued"))
    consumed = models.PositiveIntegerField(default=0, verbose_name=_("codes used"))
    paper_issued = models.PositiveIntegerField(default=0, verbose_name=_("paper forms handed out"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "group"], name="ballot_group_once")
        ]

    def __str__(self) -> str:
        return self.name


class VoterCode(models.Model):
    """One voter's one-time code, as its keyed hash only. The seal writes the session's
    codes anew, in a random order and without `group`, `used` and `batch` (the group's
    counts keep the numbers). A withdrawn code (its slips were lost) votes no more."""

    session = models.ForeignKey(BallotSession, on_delete=models.CASCADE, related_name="codes")
    group = models.ForeignKey(VoterGroup, null=True, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    withdrawn = models.BooleanField(default=False)
    batch = models.ForeignKey("CodeBatch", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["session", "used"], name="ballot_code_session_used")]

    def __str__(self) -> str:
        return f"code {self.pk}"  # never the code: it is not stored


class CodeBatch(models.Model):
    """A batch of codes as issued: its printable slips are kept until the office downloads
    them once, then deleted (the codes themselves are never stored in plain)."""

    session = models.ForeignKey(BallotSession, on_delete=models.CASCADE, related_name="batches")
    group = models.ForeignKey(VoterGroup, on_delete=models.CASCADE, related_name="batches")
    count = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    slips = models.BinaryField(null=True, editable=False)  # the PDF, until downloaded
    downloaded = models.DateTimeField(null=True, blank=True)
    withdrawn = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"batch {self.pk}"


class Ballot(AppendOnlyModel):
    """One returned ballot: its session, its voter group and its grades, nothing else.

    `grades` maps the engine's candidate id to a grade name of its category (or the
    abstention 不了解). `paper` marks a paper ballot keyed in and reconciled."""

    session = models.ForeignKey(BallotSession, on_delete=models.PROTECT, related_name="ballots")
    group = models.CharField(max_length=40)
    grades = models.JSONField()
    paper = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return f"ballot {self.pk}"


class Receipt(models.Model):
    """The keyed hash of a voter's receipt token: it proves a ballot was stored, not which."""

    session = models.ForeignKey(BallotSession, on_delete=models.PROTECT, related_name="receipts")
    digest = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"receipt {self.pk}"


# Paper ballots (sanhao/ballots/paper.py) ----------------------------------------------


class PaperRun(models.Model):
    """A run of printed ballot forms for one voter group: serials `first` … `first + count
    - 1` of its session, allocated consecutively per session. Reprinting a run prints the
    same serials."""

    session = models.ForeignKey(BallotSession, on_delete=models.PROTECT, related_name="paper_runs")
    group = models.ForeignKey(VoterGroup, on_delete=models.PROTECT, related_name="paper_runs")
    first = models.PositiveIntegerField(verbose_name=_("first serial"))
    count = models.PositiveIntegerField(verbose_name=_("number of forms"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["first"]
        constraints = [
            models.UniqueConstraint(fields=["session", "first"], name="paper_run_first_once"),
            models.CheckConstraint(
                condition=Q(first__gte=1) & Q(count__gte=1), name="paper_run_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"paper run {self.pk}"

    @property
    def last(self) -> int:
        return self.first + self.count - 1


class PaperRound(models.IntegerChoices):
    FIRST = 1, _("first keying")
    SECOND = 2, _("second keying")
    DECISION = 3, _("deciding entry")


class PaperEntry(AppendOnlyModel):
    """One clerk's keying of one paper form, as read from the sheet: `grades` as in
    `Ballot.grades`, or `spoiled` (废票: returned but void as a whole, no grades). A
    correction is a new entry of the same round by the same clerk that `supersedes` the
    old one and gives its `reason`; an entry is superseded at most once."""

    session = models.ForeignKey(
        BallotSession, on_delete=models.PROTECT, related_name="paper_entries"
    )
    run = models.ForeignKey(PaperRun, on_delete=models.PROTECT, related_name="entries")
    serial = models.PositiveIntegerField(verbose_name=_("serial"))
    round = models.PositiveSmallIntegerField(choices=PaperRound.choices, verbose_name=_("round"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(max_length=40)
    grades = models.JSONField(default=dict)
    spoiled = models.BooleanField(default=False, verbose_name=_("spoiled"))
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["serial", "round", "pk"]
        indexes = [models.Index(fields=["session", "serial"], name="paper_entry_serial")]
        constraints = [
            # One first entry per serial and round; later ones are corrections of it.
            models.UniqueConstraint(
                fields=["session", "serial", "round"],
                condition=Q(supersedes__isnull=True),
                name="paper_entry_round_once",
            ),
            models.CheckConstraint(condition=Q(round__in=[1, 2, 3]), name="paper_entry_round"),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="paper_entry_correction_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"paper entry {self.pk}"


class CountedSerial(AppendOnlyModel):
    """A paper form's serial once it has yielded its ballot: the unique constraint makes a
    serial count at most once, whatever calls the counting service. It names no ballot
    (the seal rewrites the ballots; a link would tie a ballot to its sheet)."""

    session = models.ForeignKey(
        BallotSession, on_delete=models.PROTECT, related_name="counted_serials"
    )
    serial = models.PositiveIntegerField()
    group = models.CharField(max_length=40)
    spoiled = models.BooleanField(default=False)
    decided = models.BooleanField(default=False)  # by a deciding entry, not by agreement

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "serial"], name="paper_serial_counted_once")
        ]

    def __str__(self) -> str:
        return f"counted serial {self.serial}"
