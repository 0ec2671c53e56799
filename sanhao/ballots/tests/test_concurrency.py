"""Eight submissions of one code at the same moment store one ballot (PostgreSQL).

The code is consumed by a conditional UPDATE in the ballot's transaction: the first
takes the row's lock, the others wait for its commit, find the code used, change nothing
and store nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from sanhao.ballots import services
from sanhao.ballots.models import Ballot, Receipt, VoterCode
from sanhao.ballots.tests.conftest import grades_for, make_session
from sanhao.lib.errors import DomainError

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose"
    ),
    pytest.mark.django_db(transaction=True),
]
VOTERS = 8


def race(job: Callable[[], str]) -> list[object]:
    barrier = threading.Barrier(VOTERS)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(job())
        except DomainError as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(VOTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_code_sent_eight_times_at_once_stores_one_ballot(world: Any) -> None:
    opened = make_session(world)
    grades = grades_for(opened.session)
    results = race(lambda: services.cast(opened.codes[0], grades))
    assert sum(isinstance(r, str) for r in results) == 1
    refused = [r for r in results if isinstance(r, services.CodeRefused)]
    assert len(refused) == VOTERS - 1 and {r.kind for r in refused} == {"used"}
    assert Ballot.objects.count() == Receipt.objects.count() == 1
    assert VoterCode.objects.filter(used=True).count() == 1
