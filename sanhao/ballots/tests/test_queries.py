"""The voting pages' hand-written SQL against the ORM's answer, and what it leaves kept."""

from __future__ import annotations

from typing import Any

from sanhao.ballots import codes, queries, services
from sanhao.ballots.models import VoterCode
from sanhao.ballots.tests.conftest import grades_for, make_session


def test_the_code_row_is_the_orms(leaders: Any) -> None:
    digest = codes.digest(leaders.codes[0])
    row = queries.code_row(digest)
    orm = VoterCode.objects.select_related("session", "group").get(digest=digest)
    assert row is not None and orm.group is not None
    assert (row.pk, row.used, row.group, row.group_name) == (
        orm.pk, orm.used, orm.group.group, orm.group.name,
    )  # fmt: skip
    fields = [f.attname for f in orm.session._meta.concrete_fields]
    assert [getattr(row.session, f) for f in fields] == [getattr(orm.session, f) for f in fields]
    assert queries.code_row(codes.digest("X" * 10)) is None
    VoterCode.objects.filter(pk=orm.pk).update(withdrawn=True)
    assert queries.code_row(digest) is None


def test_a_code_is_taken_once_and_never_once_sealed(leaders: Any) -> None:
    row = queries.code_row(codes.digest(leaders.codes[0]))
    assert row is not None
    assert queries.take_code(row.pk) is True
    assert queries.take_code(row.pk) is False
    other = queries.code_row(codes.digest(leaders.codes[1]))
    assert other is not None
    VoterCode.objects.filter(pk=other.pk).update(group=None)  # as the seal leaves it
    assert queries.take_code(other.pk) is False


def test_a_kept_ballot_is_the_sessions_own(world: Any) -> None:
    """The ballot kept per session is never another session's, even one of the same
    pk (a test database reuses them) or read before a new scheme version."""
    leaders = make_session(world, category="leader")
    deputies = make_session(world, category="deputy")
    _row, form = services.find_code(leaders.codes[0])
    assert {c.category for c in form.candidates} == {"leader"}
    _row, form = services.find_code(deputies.codes[0])
    assert {c.category for c in form.candidates} == {"deputy"}
    receipt = services.cast(deputies.codes[0], grades_for(deputies.session))
    assert receipt
