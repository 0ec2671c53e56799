"""Two clerks saving the same meeting at once keep one current record (PostgreSQL).

A current record is one that no correction supersedes, which no unique index can say
without a flag that would change rows. The services instead take the unit's row lock
before they look for a current record, so the second writer waits for the first and
then finds its record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from sanhao.lib.errors import DomainError
from sanhao.records.models import ProcessRecord
from sanhao.records.services import correct_record

from .helpers import add, everyone

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose"
    ),
    pytest.mark.django_db(transaction=True),
]
WRITERS = 8


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


def test_it_keeps_one_record_when_eight_clerks_add_the_same_meeting_at_once(world):
    results = race(lambda i: add(world, period=3, topic=f"第{i}次录入"))
    current = ProcessRecord.objects.filter(unit=world.a, type="study", period=3)
    assert current.count() == 1
    assert sum(isinstance(r, ProcessRecord) for r in results) == 1
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == WRITERS - 1
    assert all("已有记录" in str(r) for r in refused)


def test_it_keeps_one_correction_when_eight_clerks_correct_the_same_record_at_once(world):
    first = add(world, period=4)
    results = race(
        lambda i: correct_record(
            first,
            held_on=first.held_on,
            topic=f"更正{i}",
            attendance=everyone(world.a),
            reason="主题写错",
            actor=world.liaison_a,
        )
    )
    assert ProcessRecord.objects.filter(supersedes=first).count() == 1
    assert sum(isinstance(r, ProcessRecord) for r in results) == 1
    # Every other clerk is told why, none meets the database's unique index (a 500).
    assert sum(isinstance(r, DomainError) for r in results) == WRITERS - 1
    assert (
        ProcessRecord.objects.filter(
            unit=world.a, type="study", period=4, superseded_by__isnull=True
        ).count()
        == 1
    )
