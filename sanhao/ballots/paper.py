"""Paper ballots: printed forms with serials, keyed in twice, counted once.

**Forms.** The office asks for N forms of a voter group (`issue_forms`): a `PaperRun` gets
the session's next N serials (consecutive per session, from 1, under the session's row
lock), the group's `paper_issued` grows by N, and the audit says so
(`ballots.paper.issued`). The run's PDF (`run_pdf`) prints a sheet per serial; reprinting
gives the same serials (and is audited, `ballots.paper.reprinted`), so it adds no form to
`paper_issued`. A serial is shown as `S<session>-<number>`, e.g. `S12-0042`.

**Keying.** Each returned sheet is keyed twice, blind, by two different office accounts
(`key_entry`, rounds 1 and 2): the entry page never shows another clerk's entry. The same
account never keys both rounds of a serial; a round is keyed once (a unique constraint on
serial and round). A clerk who finds a slip in their own entry keys a *correction*: a new
entry of the same round, with a reason, that supersedes the old one (`PaperEntry` is
append-only; an entry is superseded at most once, by the database's unique key). A serial
is counted as soon as its two current entries agree.

**Disagreements** are listed on the reconciliation page with the candidates that differ.
Either clerk may correct their own entry after checking the sheet (the two then agree and
the serial is counted), or a *deciding entry* (round 3) settles it: keyed from the sheet by
a third office account, one that keyed neither round of that serial, so that no single
person decides a sheet alone. The deciding entry is counted as it stands.

**Counting** (`count_serial`) turns a serial into one `Ballot(paper=True)` and a
`CountedSerial` row, in one transaction. The unique constraint on `CountedSerial(session,
serial)` makes a second count of a serial fail in the database, whoever calls it. Paper
ballots are counted as cast: one that gives the top grade too often is stored as it is, and
the engine voids that category's part of it (docs/scoring.md §3), unlike an online ballot,
which is refused so that the voter can correct it.

**Spoiled sheets** (废票: returned, but blank or void as a whole) are keyed with the
spoiled mark and become a `Ballot(paper=True)` with empty grades: the engine counts every
ballot of a session as returned (turnout, the quorum, "more returned than issued") and takes
grades only from its cells, of which an empty ballot has none; the identical-ballots check
groups ballots by their cells, so spoiled sheets never look like a cluster. (All 不了解
would not do: each abstention is a cell, it counts in the ⌈30 %·n⌉ limit's n and in the
identical-ballots check.)

**Validity.** The session's `issued` is codes issued plus paper forms handed out, its
`returned` every ballot, online, paper and spoiled. Each code yields at most one ballot and
each serial at most one, and only serials of a run can be counted, so the app itself never
returns more than it issued; the rule still guards imported numbers. A voter must be given
either a code or a form, never both: the session page warns when more came back than were
invited.

**Sessions.** Forms are printed until the session is sealed; sheets are keyed while it is
open or sealed (paper is keyed after the meeting). Every write here takes the session's row
lock first, as the seal does, so a paper ballot is either in the seal's rewrite or inserted
after it, never lost between its read and its delete. After the seal a paper ballot is a
plain insert (it links to no code anyway). Audit entries hold serials, rounds and counts,
never grades.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.ballots import printing, services
from sanhao.ballots.models import (
    Ballot,
    BallotSession,
    CountedSerial,
    PaperEntry,
    PaperRound,
    PaperRun,
    SessionState,
    VoterGroup,
)
from sanhao.lib.errors import DomainError

MAX_FORMS_PER_RUN = 1000
MAX_PAGES_PER_RUN = 5000
REASON_LENGTH = 200


def serial_text(session_pk: int, number: int) -> str:
    return f"S{session_pk}-{number:04d}"


def run_serials(run: PaperRun) -> list[str]:
    return [serial_text(run.session_id, n) for n in range(run.first, run.last + 1)]


SERIAL_PATTERN = re.compile(r"^(?:S?(\d+)-+)?(\d+)$")
DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "_": "-", "/": "-"})


def parse_serial(session: BallotSession, text: str) -> int:
    """The number of a serial typed or scanned (`S12-0042`, `s12 42`, or `42` for this
    session); DomainError when it is no serial of this session."""
    typed = " ".join(str(text).split())[:40]
    if not typed:
        raise DomainError(_("Enter the form's serial."))
    match = SERIAL_PATTERN.match(re.sub(r"[\s-]+", "-", typed.upper().translate(DASHES)))
    if match is None:
        raise DomainError(
            _("%(serial)s is not a serial: a serial reads like %(example)s.")
            % {"serial": typed, "example": serial_text(session.pk, 42)}
        )
    if match.group(1) is not None and int(match.group(1)) != session.pk:
        raise DomainError(
            _("Serial %(serial)s belongs to another ballot session, not to this one (S%(pk)d).")
            % {"serial": typed, "pk": session.pk}
        )
    return int(match.group(2))


def _lock(session: BallotSession) -> BallotSession:
    return BallotSession.objects.select_for_update().select_related("year").get(pk=session.pk)


def _run_of(session: BallotSession, number: int) -> PaperRun:
    run = (
        PaperRun.objects.select_related("group")
        .filter(session=session, first__lte=number)
        .order_by("-first")
        .first()
    )
    if run is None or number > run.last:
        issued = PaperRun.objects.filter(session=session).aggregate(n=Sum("count"))["n"] or 0
        where = (
            _("this session's forms are %(first)s to %(last)s")
            % {"first": serial_text(session.pk, 1), "last": serial_text(session.pk, issued)}
            if issued
            else _("no form of this session has been printed")
        )
        raise DomainError(
            _("Serial %(serial)s was never handed out: %(where)s.")
            % {"serial": serial_text(session.pk, number), "where": where}
        )
    return run


# Forms ----------------------------------------------------------------------------------


def form_rules(session: BallotSession) -> printing.FormRules:
    candidates, rules = services._rules(session)
    scheme = services.scheme_of(session.year)
    units = {c.pk: c for c in session.candidates.select_related("unit")}
    return printing.FormRules(
        title=session.title,
        candidates=[
            printing.FormCandidate(k + 1, c.name, units[c.pk].unit.name, c.category)
            for k, c in enumerate(candidates)
        ],
        grades=rules["grades"],
        top_limits=rules["limits"],
        top_share={
            cat: Fraction(scheme.categories[cat].ballot.top_share) for cat in rules["grades"]
        },
        show_unit=session.unit_id is None,
    )


@transaction.atomic
def issue_forms(session: BallotSession, group: VoterGroup, count: int, *, actor: Any) -> PaperRun:
    """`count` forms for `group`: the session's next serials, `paper_issued` += count."""
    require_office_actor(actor)
    session = _lock(session)
    if session.is_finished:
        raise DomainError(_("This session is closed: no more paper forms."))
    if group.session_id != session.pk:
        raise DomainError(_("That voter group is not in this session."))
    if not 1 <= count <= MAX_FORMS_PER_RUN:
        raise DomainError(
            _("Print between 1 and %(n)d forms at a time.") % {"n": MAX_FORMS_PER_RUN}
        )
    pages = printing.pages_per_form(form_rules(session))
    if count * pages > MAX_PAGES_PER_RUN:
        raise DomainError(
            _(
                "A form of this session has %(pages)d pages: print at most %(n)d forms at a "
                "time (%(max)d pages)."
            )
            % {"pages": pages, "n": MAX_PAGES_PER_RUN // pages, "max": MAX_PAGES_PER_RUN}
        )
    after = PaperRun.objects.filter(session=session).aggregate(n=Max(F("first") + F("count")))
    first = after["n"] or 1
    run = PaperRun.objects.create(
        session=session, group=group, first=first, count=count, created_by=actor
    )
    group = VoterGroup.objects.select_for_update().get(pk=group.pk)
    group.paper_issued += count
    group.save(update_fields=["paper_issued"])
    record(
        "ballots.paper.issued",
        actor=actor,
        obj=session,
        data={
            "group": group.group,
            "count": count,
            "run": run.pk,
            "first": serial_text(session.pk, first),
            "last": serial_text(session.pk, run.last),
        },
    )
    return run


def run_pdf(run: PaperRun, *, actor: Any, reprint: bool = False) -> bytes:
    """The run's forms. A reprint is audited: it puts a second sheet of each serial about."""
    require_office_actor(actor)
    session = run.session
    if reprint:
        with transaction.atomic():
            session = _lock(session)
            if session.is_finished:
                raise DomainError(_("This session is closed: no more paper forms."))
            record(
                "ballots.paper.reprinted",
                actor=actor,
                obj=session,
                data={"run": run.pk, "group": run.group.group, "count": run.count},
            )
    return printing.ballot_forms_pdf(form_rules(session), run.group.name, run_serials(run))


# Keying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyed:
    """What a keying did: the entry, the serial's state after it, and what to say."""

    entry: PaperEntry
    serial: str
    state: str  # "counted" | "waiting" | "disagree"
    group_name: str
    differences: list[str] = field(default_factory=list)  # candidate names
    over_limit: list[str] = field(default_factory=list)  # categories void on this sheet


def _current(session: BallotSession, number: int) -> dict[int, PaperEntry]:
    """The serial's current entries by round (an entry superseded by a correction is not)."""
    rows = PaperEntry.objects.filter(session=session, serial=number, superseded_by__isnull=True)
    return {e.round: e for e in rows}


def same(a: PaperEntry, b: PaperEntry) -> bool:
    return a.spoiled == b.spoiled and (a.spoiled or a.grades == b.grades)


def differences(a: PaperEntry, b: PaperEntry, names: dict[str, str]) -> list[tuple[str, str, str]]:
    """(candidate, grade in a, grade in b) where two entries differ, in ballot order."""
    if a.spoiled or b.spoiled:
        if a.spoiled == b.spoiled:
            return []
        shown = {True: _("spoiled"), False: _("graded")}
        return [(_("the whole sheet"), str(shown[a.spoiled]), str(shown[b.spoiled]))]
    return [
        (name, a.grades.get(cid, ""), b.grades.get(cid, ""))
        for cid, name in names.items()
        if a.grades.get(cid) != b.grades.get(cid)
    ]


def _over_limit(form: services.BallotForm, grades: dict[str, str]) -> list[str]:
    out = []
    for category, limit in form.top_limits.items():
        top = form.top_grade[category]
        n = sum(
            1 for c in form.candidates if c.category == category and grades.get(c.candidate) == top
        )
        if n > limit:
            out.append(printing.CATEGORY_NAMES.get(category, category))
    return out


def ballot_form(session: BallotSession) -> services.BallotForm:
    candidates, rules = services._rules(session)
    return services.BallotForm(
        session=session,
        group="",
        group_name="",
        candidates=candidates,
        grades=rules["grades"],
        top_limits=rules["limits"],
        top_grade=rules["top"],
    )


def key_entry(
    session: BallotSession,
    *,
    serial: str,
    round: int,
    grades: dict[str, str],
    spoiled: bool,
    clerk: Any,
    reason: str = "",
) -> Keyed:
    """Store one clerk's keying of one sheet, and count the serial when it is settled.
    Refusals are DomainErrors naming the serial (and the candidates); nothing is stored
    then."""
    require_office_actor(clerk)
    reason = (reason or "").strip()[:REASON_LENGTH]
    with transaction.atomic():
        session = _lock(session)
        if session.state == SessionState.DRAFT:
            raise DomainError(_("This session has not started: paper ballots cannot be keyed yet."))
        number = parse_serial(session, serial)
        text = serial_text(session.pk, number)
        run = _run_of(session, number)
        if round not in PaperRound.values:
            raise DomainError(_("Choose the first or second keying, or a deciding entry."))
        if CountedSerial.objects.filter(session=session, serial=number).exists():
            raise DomainError(
                _("Serial %(serial)s is counted already: it cannot be keyed again.")
                % {"serial": text}
            )
        form = ballot_form(session)
        if spoiled:
            clean: dict[str, str] = {}
        else:
            try:
                clean = services.check_grades(form, grades, paper=True)
            except services.BallotRefused as refusal:
                raise DomainError(
                    _("Serial %(serial)s: %(problems)s") % {"serial": text, "problems": refusal}
                ) from None
        current = _current(session, number)
        supersedes = _check_round(current, round, clerk, text, reason, session, number)
        entry = PaperEntry.objects.create(
            session=session,
            run=run,
            serial=number,
            round=round,
            clerk=clerk,
            group=run.group.group,
            grades=clean,
            spoiled=spoiled,
            supersedes=supersedes,
            reason=reason if supersedes else "",
        )
        record(
            "ballots.paper.keyed",
            actor=clerk,
            obj=session,
            data={
                "serial": text,
                "round": round,
                "correction": supersedes is not None,
            },
        )
        counted = count_serial(session, number, actor=clerk)
        current[round] = entry
        names = {c.candidate: c.name for c in form.candidates}
        state = "counted" if counted else "waiting"
        diff: list[str] = []
        if not counted and 1 in current and 2 in current:
            state = "disagree"
            diff = [d[0] for d in differences(current[1], current[2], names)]
        return Keyed(
            entry=entry,
            serial=text,
            state=state,
            group_name=run.group.name,
            differences=diff,
            over_limit=[] if spoiled else _over_limit(form, clean),
        )


def _check_round(
    current: dict[int, PaperEntry],
    round: int,
    clerk: Any,
    text: str,
    reason: str,
    session: BallotSession,
    number: int,
) -> PaperEntry | None:
    """The entry this keying supersedes (a correction), None for a first entry of its
    round; DomainError when the round may not be keyed by this clerk."""
    round_names = {1: _("first keying"), 2: _("second keying"), 3: _("deciding entry")}
    if round == PaperRound.DECISION:
        if 1 not in current or 2 not in current:
            raise DomainError(
                _("Serial %(serial)s has not been keyed twice yet: a deciding entry settles a "
                  "disagreement of the two keyings.") % {"serial": text}
            )  # fmt: skip
        if same(current[1], current[2]):
            raise DomainError(
                _("The two keyings of serial %(serial)s agree: there is nothing to decide.")
                % {"serial": text}
            )
        clerks = set(
            PaperEntry.objects.filter(session=session, serial=number, round__in=[1, 2]).values_list(
                "clerk_id", flat=True
            )
        )
        if clerk.pk in clerks:
            raise DomainError(
                _("You keyed serial %(serial)s yourself: its deciding entry must be keyed by "
                  "another office account, one that keyed neither round.") % {"serial": text}
            )  # fmt: skip
        return None
    other = current.get(3 - round)
    if other is not None and other.clerk_id == clerk.pk:
        raise DomainError(
            _("You keyed the %(other)s of serial %(serial)s: the %(round)s must be keyed by "
              "another office account.")
            % {"other": round_names[3 - round], "serial": text, "round": round_names[round]}
        )  # fmt: skip
    mine = current.get(round)
    if mine is None:
        return None
    if mine.clerk_id != clerk.pk:
        raise DomainError(
            _("The %(round)s of serial %(serial)s was keyed already, by another account.")
            % {"round": round_names[round], "serial": text}
        )
    if not reason:
        raise DomainError(
            _("You keyed the %(round)s of serial %(serial)s already. To correct it, key it "
              "again and give the reason.") % {"round": round_names[round], "serial": text}
        )  # fmt: skip
    return mine


def count_serial(session: BallotSession, number: int, *, actor: Any) -> bool:
    """Turn a settled serial (its two keyings agree, or a deciding entry) into its ballot,
    once: True when this call counted it, False when it is not settled or was counted
    before. The unique constraint of `CountedSerial` refuses a second count even from a
    caller that skipped the check."""
    require_office_actor(actor)
    with transaction.atomic():
        session = _lock(session)
        if CountedSerial.objects.filter(session=session, serial=number).exists():
            return False
        current = _current(session, number)
        decided = PaperRound.DECISION in current
        if decided:
            source = current[PaperRound.DECISION]
        elif 1 in current and 2 in current and same(current[1], current[2]):
            source = current[1]
        else:
            return False
        try:
            with transaction.atomic():
                CountedSerial.objects.create(
                    session=session,
                    serial=number,
                    group=source.group,
                    spoiled=source.spoiled,
                    decided=decided,
                )
        except IntegrityError:
            return False
        Ballot.objects.create(
            session=session,
            group=source.group,
            grades={} if source.spoiled else source.grades,
            paper=True,
        )
        record(
            "ballots.paper.counted",
            actor=actor,
            obj=session,
            data={"serial": serial_text(session.pk, number), "decided": decided},
        )
        return True


# Reading --------------------------------------------------------------------------------


@dataclass
class SerialState:
    number: int
    serial: str
    group_name: str
    entries: dict[int, PaperEntry]
    differences: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def first(self) -> PaperEntry | None:
        return self.entries.get(PaperRound.FIRST)

    @property
    def second(self) -> PaperEntry | None:
        return self.entries.get(PaperRound.SECOND)

    @property
    def missing_round(self) -> int:
        """The round a serial keyed once waits for."""
        return PaperRound.SECOND if self.first else PaperRound.FIRST

    @property
    def missing_name(self) -> str:
        return str(PaperRound(self.missing_round).label)


@dataclass
class Reconciliation:
    disagreements: list[SerialState]
    singles: list[SerialState]
    issued: int
    counted: int
    spoiled: int
    decided: int
    corrections: int

    @property
    def not_keyed(self) -> int:
        return self.issued - self.counted - len(self.disagreements) - len(self.singles)


def reconciliation(session: BallotSession) -> Reconciliation:
    """The serials that need the office: two keyings that disagree (with the candidates
    that differ) and serials keyed once; in a fixed number of queries."""
    groups = {g.group: g.name for g in session.groups.all()}
    counted = {
        n: (spoiled, decided)
        for n, spoiled, decided in CountedSerial.objects.filter(session=session).values_list(
            "serial", "spoiled", "decided"
        )
    }
    by_serial: dict[int, dict[int, PaperEntry]] = defaultdict(dict)
    corrections = 0
    for e in PaperEntry.objects.filter(session=session, superseded_by__isnull=True).select_related(
        "clerk"
    ):
        by_serial[e.serial][e.round] = e
        corrections += e.supersedes_id is not None
    names = {
        c: n for c, n in session.candidates.order_by("order", "pk").values_list("candidate", "name")
    }
    disagreements, singles = [], []
    for number in sorted(by_serial):
        if number in counted:
            continue
        entries = by_serial[number]
        any_entry = next(iter(entries.values()))
        state = SerialState(
            number, serial_text(session.pk, number), groups.get(any_entry.group, ""), entries
        )
        if 1 in entries and 2 in entries:
            state.differences = differences(entries[1], entries[2], names)
            disagreements.append(state)
        else:
            singles.append(state)
    issued = PaperRun.objects.filter(session=session).aggregate(n=Sum("count"))["n"] or 0
    return Reconciliation(
        disagreements=disagreements,
        singles=singles,
        issued=issued,
        counted=len(counted),
        spoiled=sum(1 for s, _d in counted.values() if s),
        decided=sum(1 for _s, d in counted.values() if d),
        corrections=corrections,
    )


def summary(session: BallotSession) -> dict[str, Any]:
    """The session page's paper section: per group the forms handed out, the ballots
    counted (spoiled among them) and the sheets keyed but not yet counted; the runs."""
    groups = list(session.groups.all())
    counted = {
        row["group"]: row
        for row in CountedSerial.objects.filter(session=session)
        .values("group")
        .annotate(n=Count("id"), spoiled=Count("id", filter=Q(spoiled=True)))
    }
    done = CountedSerial.objects.filter(session=session).values("serial")
    pending = dict(
        PaperEntry.objects.filter(session=session)
        .exclude(serial__in=done)
        .values_list("group")
        .annotate(n=Count("serial", distinct=True))
        .values_list("group", "n")
    )
    returned = Ballot.objects.filter(session=session).count()
    rows = [
        {
            "group": g,
            "counted": counted.get(g.group, {}).get("n", 0),
            "spoiled": counted.get(g.group, {}).get("spoiled", 0),
            "pending": pending.get(g.group, 0),
        }
        for g in groups
    ]
    runs = list(session.paper_runs.select_related("group", "created_by"))
    for run in runs:
        run.first_serial = serial_text(session.pk, run.first)  # type: ignore[attr-defined]
        run.last_serial = serial_text(session.pk, run.last)  # type: ignore[attr-defined]
    invited = sum(g.invited for g in groups)
    return {
        "rows": rows,
        "runs": runs,
        "counted": sum(r["counted"] for r in rows),
        "pending": sum(r["pending"] for r in rows),
        "over_invited": returned > invited,
        "returned": returned,
        "invited": invited,
    }
