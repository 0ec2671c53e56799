"""Clerks keying the same sheet at once: one entry per round, one ballot (PostgreSQL).

Every paper write takes the session's row lock first (as the seal does), so of two
clerks keying the same round of a serial at the same time the second waits, then finds
the round keyed; and a serial is counted once, by the first who settles it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.ballots import paper
from sanhao.ballots.models import Ballot, CountedSerial, PaperEntry
from sanhao.ballots.tests.conftest import grades_for, make_session
from sanhao.conftest import PASSWORD
from sanhao.lib.errors import DomainError

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose"
    ),
    pytest.mark.django_db(transaction=True),
]
WRITERS = 6


def race(job: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(WRITERS)
    results: list[object] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(job(i))
        except DomainError as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_six_clerks_keying_the_second_round_at_once_make_one_ballot(world: Any) -> None:
    opened = make_session(world)
    session = opened.session
    paper.issue_forms(session, opened.group, 2, actor=world.office)
    grades = grades_for(session)
    paper.key_entry(session, serial="1", round=1, grades=grades, spoiled=False,
                    clerk=world.office)  # fmt: skip
    clerks = [create_account(username=f"clerk{i}", password=PASSWORD, role=AccountRole.OFFICE,
                             actor=world.office) for i in range(WRITERS)]  # fmt: skip
    results = race(lambda i: paper.key_entry(session, serial="1", round=2, grades=grades,
                                             spoiled=False, clerk=clerks[i]))  # fmt: skip
    assert sum(isinstance(r, paper.Keyed) for r in results) == 1
    refused = [str(r) for r in results if isinstance(r, DomainError)]
    assert len(refused) == WRITERS - 1 and all("已计票" in r for r in refused), refused
    assert PaperEntry.objects.filter(round=2).count() == 1
    assert Ballot.objects.count() == 1 and CountedSerial.objects.count() == 1


def test_counting_a_serial_from_six_threads_at_once_counts_it_once(world: Any) -> None:
    opened = make_session(world)
    session = opened.session
    paper.issue_forms(session, opened.group, 1, actor=world.office)
    other = create_account(username="clerk2", password=PASSWORD, role=AccountRole.OFFICE,
                           actor=world.office)  # fmt: skip
    for round, clerk in ((1, world.office), (2, other)):
        paper.key_entry(session, serial="1", round=round, grades=grades_for(session),
                        spoiled=False, clerk=clerk)  # fmt: skip
    results = race(lambda i: paper.count_serial(session, 1, actor=world.office))
    assert results == [False] * WRITERS  # counted when the second keying agreed
    assert Ballot.objects.count() == 1
