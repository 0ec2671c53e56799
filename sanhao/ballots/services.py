"""Every write of the ballots, and the reads the pages and the engine need.

The office prepares a session (its candidates from the year's record, its voter groups
from the scheme), issues codes, opens it, and closes it; closing seals it. A voter casts
a ballot with a code: `cast` consumes the code and stores the ballot and its receipt in
one transaction, so a code counts exactly once whatever arrives at the same time
(docs/ballots.md). The session's steps are audit entries; single ballots are not (an
entry per ballot would link ballots to times).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import chain_head, record
from sanhao.ballots import codes as codes_mod
from sanhao.ballots.models import (
    Ballot,
    BallotSession,
    CodeBatch,
    Receipt,
    SessionCandidate,
    SessionState,
    VoterCode,
    VoterGroup,
)
from sanhao.ballots.queries import CodeRow, code_row, take_code
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit
from sanhao.rankings.bridge import year_candidates
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.scoring.codes import CATEGORIES
from sanhao.scoring.scheme import Scheme

logger = logging.getLogger(__name__)
MAX_CODES_PER_BATCH = 2000
MAX_CANDIDATES = 400


class CodeRefused(DomainError):
    """A voter's code was not taken: unknown, used, or its session not open. `kind` says
    which, for the page and the tests; the message is the voter's."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class BallotRefused(DomainError):
    """The grades broke a rule of the ballot; nothing was stored and the code is unused."""


def scheme_of(year: CampaignYear) -> Scheme:
    return check_scheme(current_scheme(year).source)


# Preparing a session ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupPlan:
    group: str
    invited: int


def _check_window(opens_at: dt.datetime, closes_at: dt.datetime) -> None:
    if closes_at <= opens_at:
        raise DomainError(_("The closing time must come after the opening time."))


@transaction.atomic
def create_session(
    year: CampaignYear,
    *,
    title: str,
    unit: Unit | None,
    category: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    groups: list[GroupPlan],
    actor: Any,
    today: dt.date | None = None,
) -> BallotSession:
    """A session in preparation, its candidates taken from the year's record on `today`:
    one unit's team, leader and deputies (`unit`), or every unit's candidates of one
    category (`category`)."""
    require_office_actor(actor)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the session a title."))
    if (unit is None) == (not category):
        raise DomainError(_("Choose either one unit or one category, not both."))
    if category and category not in CATEGORIES:
        raise DomainError(_("Unknown category: %(category)s") % {"category": category})
    if unit is not None and unit.district_id != year.district_id:
        raise DomainError(_("That unit is not in this year's district."))
    _check_window(opens_at, closes_at)
    scheme = scheme_of(year)
    known = dict(zip(scheme.groups, _group_names(scheme), strict=True))
    plans = [g for g in groups if g.invited > 0]
    if not plans:
        raise DomainError(_("Invite at least one voter in at least one group."))
    for plan in plans:
        if plan.group not in known:
            raise DomainError(_("Unknown voter group: %(group)s") % {"group": plan.group})
        if plan.invited > 100_000:
            raise DomainError(_("At most 100,000 voters per group."))
    rows = [
        c
        for c in year_candidates(year, today=today)
        if (unit is not None and c["unit"] == unit.code) or c["category"] == category
    ]
    if not rows:
        raise DomainError(_("There is no candidate to put on this ballot."))
    if len(rows) > MAX_CANDIDATES:
        raise DomainError(_("At most %(n)d candidates on one ballot.") % {"n": MAX_CANDIDATES})
    session = BallotSession.objects.create(
        year=year,
        title=title,
        unit=unit,
        category=category or "",
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    units = {u.code: u.pk for u in Unit.objects.filter(district_id=year.district_id)}
    SessionCandidate.objects.bulk_create(
        SessionCandidate(
            session=session,
            candidate=c["id"],
            category=c["category"],
            name=c["name"],
            unit_id=units[c["unit"]],
            order=k,
        )
        for k, c in enumerate(rows)
    )
    VoterGroup.objects.bulk_create(
        VoterGroup(session=session, group=p.group, name=known[p.group], invited=p.invited)
        for p in plans
    )
    record(
        "ballots.session.created",
        actor=actor,
        obj=session,
        data={
            "title": title,
            "unit": unit.code if unit else "",
            "category": category,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "candidates": len(rows),
            # as pairs: a group's id is no key (village_secretaries would read as a secret)
            "groups": [[p.group, p.invited] for p in plans],
        },
    )
    return session


def _group_names(scheme: Scheme) -> tuple[str, ...]:
    return scheme.categories[CATEGORIES[0]].ballot.group_names


def _lock(session: BallotSession) -> BallotSession:
    return BallotSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def update_window(
    session: BallotSession, *, opens_at: dt.datetime, closes_at: dt.datetime, actor: Any
) -> BallotSession:
    require_office_actor(actor)
    session = _lock(session)
    if session.is_finished:
        raise DomainError(_("This session is closed."))
    _check_window(opens_at, closes_at)
    session.opens_at, session.closes_at = opens_at, closes_at
    session.save(update_fields=["opens_at", "closes_at"])
    record(
        "ballots.session.window",
        actor=actor,
        obj=session,
        data={"opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()},
    )
    return session


@transaction.atomic
def issue_codes(
    session: BallotSession, group: VoterGroup, count: int, *, actor: Any, vote_url: str
) -> tuple[CodeBatch, list[str]]:
    """`count` new codes for `group`, stored as their keyed hashes; their printable slips
    are kept in the batch until downloaded once. Returns the batch and the plain codes
    (for the caller to show once; they are nowhere else)."""
    from sanhao.ballots.printing import code_slips_pdf

    require_office_actor(actor)
    session = _lock(session)
    if session.is_finished:
        raise DomainError(_("This session is closed: no more codes."))
    if group.session_id != session.pk:
        raise DomainError(_("That voter group is not in this session."))
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise DomainError(
            _("Issue between 1 and %(n)d codes at a time.") % {"n": MAX_CODES_PER_BATCH}
        )
    plain: list[str] = []
    digests: set[str] = set()
    while len(plain) < count:
        code = codes_mod.new_code()
        d = codes_mod.digest(code)
        if d not in digests:
            plain.append(code)
            digests.add(d)
    # 50 bits each: a clash with a stored code is as good as impossible; still, check.
    clash = set(VoterCode.objects.filter(digest__in=digests).values_list("digest", flat=True))
    if clash:
        raise DomainError(_("Please issue the codes again."))
    group = VoterGroup.objects.select_for_update().get(pk=group.pk)
    group.issued += count
    group.save(update_fields=["issued"])
    batch = CodeBatch.objects.create(session=session, group=group, count=count, created_by=actor)
    VoterCode.objects.bulk_create(
        [
            VoterCode(session=session, group=group, batch=batch, digest=d)
            for d in (codes_mod.digest(c) for c in plain)
        ],
        batch_size=1000,
    )
    batch.slips = code_slips_pdf(session, group, plain, vote_url=vote_url, batch=batch)
    batch.save(update_fields=["slips"])
    record(
        "ballots.codes.issued",
        actor=actor,
        obj=session,
        data={"group": group.group, "count": count, "batch": batch.pk},
    )
    return batch, plain


@transaction.atomic
def take_slips(batch: CodeBatch, *, actor: Any) -> bytes:
    """The batch's slips, once: they are deleted as they are handed out."""
    require_office_actor(actor)
    batch = CodeBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.slips is None:
        raise DomainError(
            _("These slips were downloaded already; issue a new batch if they are lost.")
        )
    pdf = bytes(batch.slips)
    batch.slips = None
    batch.downloaded = timezone.now()
    batch.save(update_fields=["slips", "downloaded"])
    record(
        "ballots.codes.downloaded",
        actor=actor,
        obj=batch.session,
        data={"batch": batch.pk, "group": batch.group.group, "count": batch.count},
    )
    return pdf


@transaction.atomic
def withdraw_batch(batch: CodeBatch, *, reason: str, actor: Any) -> int:
    """Withdraw a batch's unused codes (its slips were lost or went to the wrong group):
    they vote no more, and the group's codes issued go down by as many. Returns how many."""
    require_office_actor(actor)
    session = _lock(batch.session)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the codes are withdrawn."))
    if session.is_finished:
        raise DomainError(_("This session is closed."))
    batch = CodeBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.withdrawn:
        raise DomainError(_("This batch was withdrawn already."))
    n = VoterCode.objects.filter(batch=batch, used=False, withdrawn=False).update(withdrawn=True)
    group = VoterGroup.objects.select_for_update().get(pk=batch.group_id)
    group.issued -= n
    group.save(update_fields=["issued"])
    batch.withdrawn, batch.withdrawn_reason, batch.slips = timezone.now(), reason[:200], None
    batch.save(update_fields=["withdrawn", "withdrawn_reason", "slips"])
    record(
        "ballots.codes.withdrawn",
        actor=actor,
        obj=session,
        data={"batch": batch.pk, "group": group.group, "count": n, "reason": reason[:200]},
    )
    return n


@transaction.atomic
def open_session(session: BallotSession, *, actor: Any) -> BallotSession:
    require_office_actor(actor)
    session = _lock(session)
    if not session.is_draft:
        raise DomainError(_("Only a session being prepared can be opened."))
    issued = VoterCode.objects.filter(session=session, withdrawn=False).count()
    if not issued and not any(g.paper_issued for g in session.groups.all()):
        raise DomainError(
            _("Issue the voters' codes or print the paper forms before opening the session.")
        )
    session.state = SessionState.OPEN
    # The grade scale and the top-grade limits are fixed as the session opens: a scheme
    # edited later changes the next session, never the ballots of this one.
    session.rules = _rules_from_scheme(session, scheme_of(session.year))
    session.save(update_fields=["state", "rules"])
    record(
        "ballots.session.opened",
        actor=actor,
        obj=session,
        data={"codes": issued, "rules": session.rules},
    )
    return session


# Voting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotForm:
    """What a voter's page shows: the session's candidates and each category's rules."""

    session: BallotSession
    group: str
    group_name: str
    candidates: list[SessionCandidate]
    grades: dict[str, tuple[str, ...]]  # category → grades, best first, then the abstention
    top_limits: dict[str, int]  # category → the most top grades a ballot may give
    top_grade: dict[str, str]


def _rules_from_scheme(session: BallotSession, scheme: Scheme) -> dict[str, Any]:
    by_cat = Counter(session.candidates.values_list("category", flat=True))
    grades, limits, top = {}, {}, {}
    for category, n in sorted(by_cat.items()):
        rules = scheme.categories[category].ballot
        grades[category] = [*rules.grades, rules.abstain]
        share = Fraction(rules.top_share)
        limits[category] = -(-share.numerator * n // share.denominator)
        top[category] = rules.grades[0]
    return {"grades": grades, "limits": limits, "top": top, "id": secrets.token_hex(8)}


# An open session's candidates and rules cannot change: each process reads them once,
# keyed by the random id the rules took at opening (never by a row id a test may reuse).
_OPEN_CACHE: dict[str, tuple[list[SessionCandidate], dict[str, Any]]] = {}


def _rules(session: BallotSession) -> tuple[list[SessionCandidate], dict[str, Any]]:
    """The session's candidates in ballot order and its rules (`grades`, `limits`, `top`
    per category): as fixed at opening, or from the year's scheme while in preparation."""
    key = session.rules.get("id", "") if session.rules else ""
    if key in _OPEN_CACHE:
        return _OPEN_CACHE[key]
    candidates = list(session.candidates.all())
    rules = session.rules or _rules_from_scheme(session, scheme_of(session.year))
    rules = {**rules, "grades": {k: tuple(v) for k, v in rules["grades"].items()}}
    if session.rules:
        if len(_OPEN_CACHE) > 200:
            _OPEN_CACHE.clear()
        _OPEN_CACHE[key] = (candidates, rules)
    return candidates, rules


def _accepts_votes(session: BallotSession, now: dt.datetime) -> str:
    """ "" when the session takes ballots now; else why not."""
    if session.state == SessionState.DRAFT or now < session.opens_at:
        return _("Voting in this session has not started yet (it opens at %(time)s).") % {
            "time": timezone.localtime(session.opens_at).strftime("%Y-%m-%d %H:%M")
        }
    if session.is_finished or now > session.closes_at:
        return _("Voting in this session has ended.")
    return ""


def find_code(text: str, *, session_pk: int | None = None) -> tuple[CodeRow, BallotForm]:
    """The code a voter typed and the ballot it opens; CodeRefused when it opens none.
    Nothing is consumed. One query (`queries.code_row`) once the session's ballot is kept."""
    code = codes_mod.normalized(text)
    if not codes_mod.well_formed(code):
        raise CodeRefused(
            "malformed", _("A voting code has 10 letters and digits; please check it.")
        )
    row = code_row(codes_mod.digest(code))
    if row is None or (session_pk and row.session.pk != session_pk):
        raise CodeRefused("unknown", _("This voting code is not valid. Please check it."))
    why = _accepts_votes(row.session, timezone.now())
    if why:  # before the group, which the seal clears: a late voter is told it ended
        raise CodeRefused("closed", why)
    if row.group is None:
        raise CodeRefused("unknown", _("This voting code is not valid. Please check it."))
    if row.used:
        raise CodeRefused("used", _("This voting code has already been used: a code votes once."))
    candidates, rules = _rules(row.session)
    return row, BallotForm(
        session=row.session,
        group=row.group,
        group_name=row.group_name or row.group,
        candidates=candidates,
        grades=rules["grades"],
        top_limits=rules["limits"],
        top_grade=rules["top"],
    )


def check_grades(form: BallotForm, given: dict[str, str], *, paper: bool = False) -> dict[str, str]:
    """The ballot's grades, in candidate order, checked; BallotRefused lists what is wrong.
    A paper ballot may break the top-grade rule (it is then void, as counted by the
    engine); an online one is refused so that the voter can correct it."""
    problems = []
    clean: dict[str, str] = {}
    for c in form.candidates:
        grade = (given.get(c.candidate) or "").strip()
        if not grade:
            problems.append(_("%(name)s: choose a grade") % {"name": c.name})
        elif grade not in form.grades[c.category]:
            problems.append(
                _("%(name)s: unknown grade %(grade)s") % {"name": c.name, "grade": grade[:20]}
            )
        else:
            clean[c.candidate] = grade
    extra = set(given) - {c.candidate for c in form.candidates}
    if extra:
        problems.append(_("Not on this ballot: %(list)s") % {"list": "、".join(sorted(extra)[:5])})
    if not paper:
        for category, limit in form.top_limits.items():
            top = form.top_grade[category]
            n = sum(
                1
                for c in form.candidates
                if c.category == category and clean.get(c.candidate) == top
            )
            if n > limit:
                problems.append(
                    _("At most %(limit)d candidates may be graded %(grade)s; you chose %(n)d.")
                    % {"limit": limit, "grade": top, "n": n}
                )
    if problems:
        raise BallotRefused("；".join(problems))
    return clean


def cast(text: str, given: dict[str, str], *, session_pk: int | None = None) -> str:
    """Store one ballot for the code `text`: the code is consumed and the ballot and its
    receipt stored in one transaction, or nothing is. Returns the receipt token.

    The session's row is share-locked and read open again first (`_session_taking_ballots`):
    the same order of locks as `close_session`, which waits for the ballots being cast, or
    is waited for and then refuses them. The code is then consumed by one conditional
    `UPDATE … SET used = true WHERE id = … AND NOT used` (`queries.take_code`), and the
    ballot is stored only if it changed the row. The UPDATE locks the row (on SQLite the
    write transaction is taken at BEGIN), so of two submissions of one code at the same
    time the second waits for the first to commit, then finds the code used, changes
    nothing and stores nothing."""
    code = codes_mod.normalized(text)
    row, form = find_code(code, session_pk=session_pk)  # fast refusals, outside the lock
    clean = check_grades(form, given)
    receipt = codes_mod.new_receipt()
    with transaction.atomic():
        why = _accepts_votes(_session_taking_ballots(form.session.pk), timezone.now())
        if why:
            raise CodeRefused("closed", why)
        if not take_code(row.pk):
            # Used, withdrawn or sealed since it was read: nothing was changed.
            if VoterCode.objects.filter(pk=row.pk, used=True).exists():
                raise CodeRefused(
                    "used", _("This voting code has already been used: a code votes once.")
                )
            raise CodeRefused("unknown", _("This voting code is not valid. Please check it."))
        Ballot.objects.create(session_id=form.session.pk, group=form.group, grades=clean)
        Receipt.objects.create(
            session_id=form.session.pk, digest=codes_mod.digest(receipt, purpose="receipt")
        )
    return receipt


def _session_taking_ballots(session_pk: int) -> BallotSession:
    """The session's row, read again inside the caller's transaction and share-locked on
    PostgreSQL (`FOR SHARE`: ballots of one session do not wait for each other; a close,
    `FOR UPDATE`, waits for them or they for it). Without it a ballot's deferred foreign
    key check took `FOR KEY SHARE` of this row only at commit, after its code's lock:
    the opposite order to `close_session`'s, a deadlock when a session closed while
    ballots arrived (tests/test_exactly_once.py). SQLite's BEGIN IMMEDIATE serialises."""
    sql = f"SELECT * FROM {BallotSession._meta.db_table} WHERE id = %s"
    if connection.vendor == "postgresql":
        sql += " FOR SHARE"
    return next(iter(BallotSession.objects.raw(sql, [session_pk])))


def naive_cast_for_tests(text: str, given: dict[str, str]) -> str:
    """The check-then-save way, kept only as the tests' negative control: it reads the code
    as unused, then stores, without a lock. Under concurrency it counts a code twice."""
    code = codes_mod.normalized(text)
    row, form = find_code(code)
    clean = check_grades(form, given)
    receipt = codes_mod.new_receipt()
    Ballot.objects.create(session_id=form.session.pk, group=form.group, grades=clean)
    Receipt.objects.create(
        session_id=form.session.pk, digest=codes_mod.digest(receipt, purpose="receipt")
    )
    VoterCode.objects.filter(pk=row.pk).update(used=True)
    return receipt


def check_receipt(text: str) -> tuple[BallotSession, str] | None:
    """The session of a receipt and what to tell its holder; None for an unknown one."""
    token = codes_mod.normalized(text)
    if not codes_mod.well_formed(token, codes_mod.RECEIPT_LENGTH):
        return None
    row = (
        Receipt.objects.select_related("session")
        .filter(digest=codes_mod.digest(token, purpose="receipt"))
        .first()
    )
    if row is None:
        return None
    if row.session.state == SessionState.SEALED:
        return row.session, _("Counted: your ballot is in the session's count.")
    return row.session, _(
        "Received: your ballot is stored and will be counted when the session closes."
    )


# Closing and sealing -------------------------------------------------------------------


@transaction.atomic
def close_session(session: BallotSession, *, actor: Any) -> BallotSession:
    """Close the session and seal it in the same transaction: from then on no ballot can
    be linked to its code (docs/ballots.md)."""
    require_office_actor(actor)
    session = _lock(session)
    if session.state != SessionState.OPEN:
        raise DomainError(_("Only an open session can be closed."))
    counts = _seal(session)
    session.state = SessionState.SEALED
    session.save(update_fields=["state"])
    record("ballots.session.closed", actor=actor, obj=session, data=counts)
    record("ballots.session.sealed", actor=actor, obj=session, data={"ballots": counts["ballots"]})
    # The chain's head once the close and the seal are in it: written down with the count,
    # it commits the log to these numbers (verify_audit --head SEQ:HASH).
    seq, head = chain_head()
    session.chain_head = f"{seq}:{head}"
    session.save(update_fields=["chain_head"])
    transaction.on_commit(_vacuum, robust=True)  # logged if it fails: the close is done
    return session


def _seal(session: BallotSession) -> dict[str, Any]:
    """Rewrite the session's ballots, receipts and codes, each in a random order and the
    codes without their marks, all in the caller's transaction: every row then carries
    this transaction's xmin on PostgreSQL, and new row ids, ctids and rowids in an order
    that is not the order of voting. The groups keep how many codes were used.

    The codes are rewritten rather than updated in place: on PostgreSQL a used code's
    row had moved when its vote marked it, so after an update in place the codes'
    places still told used codes from unused ones and roughly their order of use
    (tests/test_anonymity.py)."""
    used = dict(
        VoterCode.objects.filter(session=session, used=True)
        .values_list("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    for group in VoterGroup.objects.select_for_update().filter(session=session):
        group.consumed = used.get(group.pk, 0)
        group.save(update_fields=["consumed"])
    shuffle = secrets.SystemRandom().shuffle
    ballots = list(Ballot.objects.filter(session=session).values_list("group", "grades", "paper"))
    receipts = list(Receipt.objects.filter(session=session).values_list("digest", flat=True))
    codes = list(VoterCode.objects.filter(session=session).values_list("digest", "withdrawn"))
    shuffle(ballots)
    shuffle(receipts)
    shuffle(codes)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten
        for model in (Ballot, Receipt, VoterCode):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE session_id = %s", [session.pk]
            )
    Ballot.objects.bulk_create(
        [
            Ballot(session=session, group=g, grades=grades, paper=paper)
            for g, grades, paper in ballots
        ],
        batch_size=1000,
    )
    Receipt.objects.bulk_create(
        [Receipt(session=session, digest=d) for d in receipts], batch_size=1000
    )
    VoterCode.objects.bulk_create(
        [VoterCode(session=session, digest=d, withdrawn=w) for d, w in codes], batch_size=1000
    )
    return {
        "ballots": len(ballots),
        "groups": [[g.group, g.invited, g.issued, g.consumed] for g in session.groups.all()],
    }


def _vacuum() -> None:
    """After a seal, drop the old row versions from the files themselves where the
    database allows it outside a transaction. On PostgreSQL a plain VACUUM frees the
    deleted rows' space but leaves their bytes in the pages, headers with the voting
    transaction's xid included, until overwritten: from the files (or `pageinspect`)
    every ballot could still be joined to its code. VACUUM FULL writes the three tables
    anew and drops the old files (tests/test_anonymity.py). It holds each table's
    exclusive lock for as long as the copy takes (milliseconds for a year's ballots); if
    it cannot have it within `lock_timeout`, a plain VACUUM is done instead and the
    office is told in the log. SQLite: the seal deleted with `secure_delete`; the WAL is
    checkpointed and truncated."""
    if connection.in_atomic_block:
        return  # inside a test's transaction: nothing to do
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET lock_timeout = '5s'")
            try:
                for model in (Ballot, Receipt, VoterCode):
                    try:
                        cursor.execute(f"VACUUM FULL {model._meta.db_table}")
                    except OperationalError:
                        logger.warning(
                            "ballots: VACUUM FULL %s did not get its lock; the old rows' "
                            "bytes stay in the file until the next VACUUM FULL",
                            model._meta.db_table,
                        )
                        cursor.execute(f"VACUUM {model._meta.db_table}")
            finally:
                cursor.execute("RESET lock_timeout")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# Reading -----------------------------------------------------------------------------


def turnout(session: BallotSession) -> list[dict[str, Any]]:
    """Per voter group: invited, codes issued, ballots returned so far. No content."""
    returned = dict(
        Ballot.objects.filter(session=session)
        .values_list("group")
        .annotate(n=Count("id"))
        .values_list("group", "n")
    )
    rows = []
    for g in session.groups.all():
        n = returned.get(g.group, 0)
        rows.append(
            {
                "group": g,
                "returned": n,
                "share": (Decimal(n) / g.invited * 100).quantize(Decimal("0.1"))
                if g.invited
                else None,
            }
        )
    return rows
