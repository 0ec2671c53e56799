"""After the seal no ballot can be joined to its code, or to its receipt.

N ballots, each with a grades pattern of its own, are cast from known codes in a known
order; then the session closes. Before the seal the link is there to see, and the test
asserts it (so it can fail): on PostgreSQL each ballot's `xmin` is its code's and its
receipt's (N of N joinable), and the ballots' ids and physical order are the order of
voting. After the seal every join narrows a ballot to no fewer than all the codes of
its session: no column links them, no column holds a time, the ids and the physical
order (`ctid`, SQLite's `rowid`) are not correlated with the order of voting (Spearman's
ρ; for N = 300 a shuffle has |ρ| ≥ 0.3 with probability about 10⁻⁷), and every ballot,
receipt and code row of the session carries the seal's one `xmin`.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from django.db import DatabaseError, connection, models

from sanhao.ballots import codes as codes_mod
from sanhao.ballots import services
from sanhao.ballots.models import Ballot, BallotSession, CodeBatch, Receipt, VoterCode
from sanhao.ballots.tests.conftest import make_session

N = 300  # ballots cast
UNUSED = 600  # codes issued and never used
LIMIT = 0.3  # |ρ| of a shuffle, N = 300: about 5 standard deviations
pytestmark = [
    pytest.mark.django_db(transaction=True),  # real transactions: real xids
    pytest.mark.usefixtures("no_slips"),
]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="xmin and ctid are PostgreSQL's"
)


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation of two lists without ties."""
    n = len(xs)
    rx = {x: k for k, x in enumerate(sorted(xs))}
    ry = {y: k for k, y in enumerate(sorted(ys))}
    d2 = sum((rx[x] - ry[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def patterns(form: services.BallotForm, n: int) -> list[dict[str, str]]:
    """n valid ballots, no two alike, in a random order."""
    choices = [form.grades[c.category] for c in form.candidates]
    valid = []
    for combo in itertools.product(*choices):
        grades = {c.candidate: g for c, g in zip(form.candidates, combo, strict=True)}
        try:
            valid.append(services.check_grades(form, grades))
        except services.BallotRefused:
            continue
    assert len(valid) >= n, len(valid)
    random.Random(7).shuffle(valid)
    return valid[:n]


def key(grades: dict[str, str]) -> str:
    return "|".join(f"{k}={v}" for k, v in sorted(grades.items()))


def rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def physical(table: str, session: BallotSession, column: str = "id") -> list[Any]:
    """`column` of the session's rows of `table` in the order they lie in the file."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    sql = f"SELECT {column} FROM {table} WHERE session_id = %s ORDER BY {order}"
    return [r[0] for r in rows(sql, [session.pk])]


def pages_of(table: str, session: BallotSession) -> list[int]:
    """The page of the file that each row lies in, in physical order (PostgreSQL's ctid's
    block; one page for SQLite, whose rowid is all the order there is)."""
    if connection.vendor != "postgresql":
        return [0] * len(physical(table, session))
    sql = f"SELECT (ctid::text::point)[0] FROM {table} WHERE session_id = %s ORDER BY ctid"
    return [int(r[0]) for r in rows(sql, [session.pk])]


def xmins(table: str, session: BallotSession, column: str) -> dict[Any, str]:
    sql = f"SELECT {column}, xmin::text FROM {table} WHERE session_id = %s"
    return dict(rows(sql, [session.pk]))


def vote_in_order(world: Any) -> dict[str, Any]:
    """N ballots cast in a known order from N of N + UNUSED codes: the order of voting
    is a random order of the codes, each ballot's pattern its own."""
    voting = make_session(world, unit=world.a, invited=N + UNUSED, codes=N + UNUSED)
    _row, form = services.find_code(voting.codes[0])
    grades = patterns(form, N)
    order = voting.codes[:]
    random.Random(11).shuffle(order)
    used = order[:N]
    receipts = [services.cast(code, grades[k]) for k, code in enumerate(used)]
    return {
        "voting": voting,
        "session": voting.session,
        "turn_of_ballot": {key(g): k for k, g in enumerate(grades)},
        "turn_of_code": {codes_mod.digest(c): k for k, c in enumerate(used)},
        "unused": {codes_mod.digest(c) for c in order[N:]},
        "turn_of_receipt": {
            codes_mod.digest(codes_mod.normalized(r), purpose="receipt"): k
            for k, r in enumerate(receipts)
        },
    }


def ballot_turns(cast: dict[str, Any], ids: list[int]) -> list[int]:
    by_id = dict(Ballot.objects.filter(pk__in=ids).values_list("pk", "grades"))
    return [cast["turn_of_ballot"][key(by_id[i])] for i in ids]


def ballots_by_id(cast: dict[str, Any]) -> list[int]:
    """The turn of voting of each ballot, in the order of the ballots' ids."""
    ids = list(
        Ballot.objects.filter(session=cast["session"]).order_by("pk").values_list("pk", flat=True)
    )
    return ballot_turns(cast, ids)


def receipts_by(cast: dict[str, Any], digests: list[str]) -> list[int]:
    return [cast["turn_of_receipt"][d] for d in digests]


def rounded(figures: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in figures.items()}


def order_of(turns: list[int]) -> float:
    """How much a list of turns follows the order of voting: ρ of turn against place."""
    return spearman(list(range(len(turns))), [float(t) for t in turns])


def close(world: Any, cast: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Close the session; the names of what `_vacuum` did (it runs after the commit)."""
    ran: list[str] = []
    vacuum = services._vacuum

    def spy() -> None:
        vacuum()
        ran.append(connection.vendor)

    monkeypatch.setattr(services, "_vacuum", spy)
    services.close_session(cast["session"], actor=world.office)
    return ran


def test_no_column_links_a_ballot_to_a_code_or_a_receipt_or_holds_a_time() -> None:
    for model in (Ballot, Receipt, VoterCode):
        times = [f.name for f in model._meta.get_fields()
                 if isinstance(f, models.DateField | models.TimeField | models.DurationField)]  # fmt: skip
        assert not times, (model, times)
    ballot = {f.name: f for f in Ballot._meta.get_fields()}
    assert set(ballot) == {"id", "session", "group", "grades", "paper"}
    assert ballot["session"].related_model is BallotSession
    relations = [f.related_model for f in Receipt._meta.get_fields() if f.is_relation]
    assert relations == [BallotSession]
    code = [f.related_model for f in VoterCode._meta.get_fields() if f.is_relation]
    assert Ballot not in code and Receipt not in code
    # The batch's times are of the whole batch, which the office issued before voting.
    assert {f.name for f in CodeBatch._meta.get_fields()} >= {"created", "downloaded"}


def test_the_seal_breaks_every_order_the_ballots_and_receipts_kept(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids and physical order (ctid on PostgreSQL, rowid on SQLite)."""
    cast = vote_in_order(world)
    session = cast["session"]
    # Before the seal: the order of voting is there to read.
    assert ballots_by_id(cast) == list(range(N))
    assert order_of(ballot_turns(cast, physical("ballots_ballot", session))) > 0.9
    receipts = list(
        Receipt.objects.filter(session=session).order_by("pk").values_list("digest", flat=True)
    )
    assert receipts_by(cast, receipts) == list(range(N))
    assert order_of(receipts_by(cast, physical("ballots_receipt", session, "digest"))) > 0.9

    ran = close(world, cast, monkeypatch)
    assert ran == [connection.vendor]  # _vacuum ran after the commit and did not fail

    by_id = ballots_by_id(cast)
    by_place = ballot_turns(cast, physical("ballots_ballot", session))
    assert sorted(by_id) == list(range(N))  # every ballot kept, as it was
    figures = {
        "ballot id": order_of(by_id),
        "ballot place": order_of(by_place),
        "receipt id": order_of(
            receipts_by(
                cast,
                list(
                    Receipt.objects.filter(session=session)
                    .order_by("pk")
                    .values_list("digest", flat=True)
                ),
            )
        ),
        "receipt place": order_of(
            receipts_by(cast, physical("ballots_receipt", session, "digest"))
        ),
    }
    # A ballot's place against its receipt's place: the two shuffles are not one.
    place_of_receipt = {
        t: k
        for k, t in enumerate(receipts_by(cast, physical("ballots_receipt", session, "digest")))
    }
    figures["ballot ~ receipt"] = spearman(
        list(range(N)), [float(place_of_receipt[t]) for t in by_place]
    )
    # A ballot's id against its code's id.
    code_id = dict(VoterCode.objects.filter(session=session).values_list("digest", "pk"))
    code_of_turn = {t: code_id[d] for d, t in cast["turn_of_code"].items()}
    figures["ballot id ~ code id"] = spearman(
        [float(i) for i in range(N)], [float(code_of_turn[t]) for t in by_id]
    )
    print("\nρ after the seal:", rounded(figures))
    assert all(abs(r) < LIMIT for r in figures.values()), figures


def test_the_seal_leaves_the_codes_nothing_of_their_use(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which codes were used, and in which order, is not in the codes' rows either:
    their marks are cleared, and their ids and places are those of issue, or random."""
    cast = vote_in_order(world)
    session = cast["session"]
    turn, unused = cast["turn_of_code"], cast["unused"]

    def figures() -> dict[str, float]:
        placed = physical("ballots_votercode", session, "digest")
        pages = dict(zip(placed, pages_of("ballots_votercode", session), strict=True))
        used_places = [(pages[d], k) for k, d in enumerate(placed) if d in turn]
        free_places = [(pages[d], k) for k, d in enumerate(placed) if d in unused]
        # The chance that a used code lies after an unused one (0.5: no telling them
        # apart), over all pairs and over the pairs in one page of the file.
        pairs = [(u > f, up == fp) for up, u in used_places for fp, f in free_places]
        in_page = [after for after, same in pairs if same]
        return {
            "order of use": order_of([turn[d] for d in placed if d in turn]),
            "used after unused": sum(a for a, _ in pairs) / len(pairs),
            "in one page": sum(in_page) / len(in_page),
        }

    before = figures()
    if connection.vendor == "postgresql":
        # A vote's update put its code's new row last in its page: that tells them apart.
        assert before["in one page"] > 0.9, before
    ids = set(VoterCode.objects.filter(session=session).values_list("pk", flat=True))
    close(world, cast, monkeypatch)
    after = figures()
    print("\ncodes' places, before the seal:", rounded(before), "after:", rounded(after))
    assert not VoterCode.objects.filter(session=session, used=True).exists()
    assert not VoterCode.objects.filter(session=session, group__isnull=False).exists()
    assert VoterCode.objects.filter(session=session).count() == N + UNUSED
    assert not ids & set(VoterCode.objects.filter(session=session).values_list("pk", flat=True))
    # 300 used and 600 unused codes placed at random: a share of pairs has a standard
    # deviation of about 0.02, so 0.1 is 5 of them.
    assert abs(after["order of use"]) < LIMIT, after
    assert abs(after["used after unused"] - 0.5) < 0.1, after
    assert abs(after["in one page"] - 0.5) < 0.1, after


@on_postgresql
def test_the_seal_gives_every_row_of_the_session_one_xmin(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cast = vote_in_order(world)
    session = cast["session"]
    ballots = xmins("ballots_ballot", session, "id")
    codes = xmins("ballots_votercode", session, "digest")
    receipts = xmins("ballots_receipt", session, "digest")
    # Before the seal: one transaction per ballot wrote its code, its ballot, its receipt.
    code_by_xmin = {x: d for d, x in codes.items() if d in cast["turn_of_code"]}
    receipt_by_xmin = {x: d for d, x in receipts.items()}
    turns = dict(zip(ballots, ballot_turns(cast, list(ballots)), strict=True))
    joined = sum(
        1
        for pk, xmin in ballots.items()
        if cast["turn_of_code"].get(code_by_xmin.get(xmin, "")) == turns[pk]
        and cast["turn_of_receipt"].get(receipt_by_xmin.get(xmin, "")) == turns[pk]
    )
    print(f"\nbefore the seal: {joined} of {N} ballots joined to their code and receipt by xmin")
    assert joined == N

    close(world, cast, monkeypatch)
    seal = set()
    for table, column in [("ballots_ballot", "id"), ("ballots_receipt", "id"),
                          ("ballots_votercode", "id")]:  # fmt: skip
        seal |= set(xmins(table, session, column).values())
    assert len(seal) == 1, seal


def raw_pages(table: str) -> bytes | None:
    """The table's file as PostgreSQL reads it (pageinspect); None without the extension."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except DatabaseError:
        return None
    sql = (
        "SELECT get_raw_page(%s, b::int) FROM generate_series(0, "
        "pg_relation_size(%s) / 8192 - 1) b ORDER BY b"
    )
    return b"".join(bytes(r[0]) for r in rows(sql, [table, table]))


@on_postgresql
def test_the_files_keep_no_old_row_after_the_seal(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deleted row's bytes stay in its page after a plain VACUUM, header and all: the
    old ballot's and its code's headers both carry the voting transaction's xid. After
    the seal's VACUUM FULL no page holds a row version that the seal deleted."""
    if raw_pages("ballots_ballot") is None:
        pytest.skip("pageinspect cannot be installed (it needs a superuser)")
    cast = vote_in_order(world)
    session = cast["session"]
    voting_xids = {int(x) for x in xmins("ballots_ballot", session, "id").values()}
    assert len(voting_xids) == N
    ran = close(world, cast, monkeypatch)
    assert ran == ["postgresql"]
    (seal,) = {int(x) for x in xmins("ballots_ballot", session, "id").values()}
    for table in ("ballots_ballot", "ballots_receipt", "ballots_votercode"):
        raw = raw_pages(table)
        assert raw is not None
        # An old row version's header: xmin (the vote), then xmax (the seal that deleted it).
        left = [
            x for x in voting_xids if x.to_bytes(4, "little") + seal.to_bytes(4, "little") in raw
        ]
        assert not left, (table, len(left))
