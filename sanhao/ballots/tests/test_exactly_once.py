"""A code votes exactly once, whatever arrives at the same time.

Eight voters' browsers (one test `Client` each, in eight threads released together at a
barrier) each submit all 200 codes of a session through the voting pages, each in an
order of its own: 1,600 attempts on 200 codes. Exactly 200 ballots and 200 receipts are
stored, every code is used, every page answers 200 or 400 and never 5xx. The negative
control does the same with `services.naive_cast_for_tests` (read the code as unused,
then write) and must count some code twice: it shows that this test can see the bug.

And the office closes a session while ballots arrive: every ballot is in the seal or
refused, none is lost or stored after it, and nothing deadlocks (it did: a ballot's
deferred foreign key check locked the session's row at commit, after its code's row,
against the close's order; `services.cast` now share-locks the session first).

PostgreSQL runs these in the suite. SQLite's test database is in memory, shared by the
threads through SQLite's shared cache, whose table locks fail at once instead of
waiting (`database table is locked`): the SQLite cases therefore run in a subprocess on
a file database, as the site runs (WAL, BEGIN IMMEDIATE, busy_timeout).
"""

from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.test import Client

from sanhao.ballots import services
from sanhao.ballots.models import Ballot, Receipt, VoterCode
from sanhao.ballots.tests.conftest import grades_for, make_session
from sanhao.ballots.tests.pages import vote

THREADS = 8
CODES = 200
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite's in-memory test database cannot take concurrent "
    "writers (its case runs in a subprocess on a file: test_it_counts_each_code_once_on_sqlite)",
)
# Set by the SQLite case for the subprocess it starts (which uses a file database).
SQLITE_FILE = os.environ.get("BALLOTS_SQLITE_RACE_FILE", "")
pytestmark = pytest.mark.usefixtures("no_slips")


def widen_the_window(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Between reading the code as unused and writing, both ways check the grades: make
    that take a moment, so that other threads come in between as often as possible.
    Returns a list that gets one item per check: per code found unused by `cast`."""
    check = services.check_grades
    calls: list[int] = []

    def slow_check(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        time.sleep(0.002)
        return check(*args, **kwargs)

    monkeypatch.setattr(services, "check_grades", slow_check)
    return calls


@pytest.fixture(autouse=True)
def quiet_refusals(caplog: pytest.LogCaptureFixture) -> None:
    """1,400 refusals are 400s, each a warning of django.request; a 5xx is still logged."""
    caplog.set_level(logging.ERROR, logger="django.request")


def in_threads(job: Callable[[int], list[Any]]) -> list[Any]:
    """`job(i)` in THREADS threads started together; their results, in one list. An
    exception is a result too (its traceback), never lost in a thread."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            out = job(i)
        except BaseException:
            out = [("exception", traceback.format_exc())]
        finally:
            connections.close_all()
        with lock:
            results.extend(out)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def through_the_pages(codes: list[str], grades: dict[str, str], session_pk: int) -> list[Any]:
    """Every thread opens the page, posts each code and then its ballot, in its own order.
    Result per attempt: (where it stopped, status)."""

    def job(i: int) -> list[Any]:
        client = Client(raise_request_exception=True)
        order = codes[:]
        random.Random(i).shuffle(order)
        out = []
        for code in order:
            try:
                answer = vote(client, code, grades, session_pk)
            except Exception:
                out.append(("exception", traceback.format_exc()))
                continue
            stopped = "ballot" if answer.request["PATH_INFO"].endswith("/ballot/") else "code"
            done = answer.status_code == 200 and 'id="receipt"' in answer.content.decode()
            out.append(("done" if done else stopped, answer.status_code))
        return out

    return in_threads(job)


def check_exactly_once(results: list[Any], session: Any, found_unused: int) -> dict[str, Any]:
    errors = [r[1] for r in results if r[0] == "exception"]
    assert not errors, errors[0]
    statuses = Counter(status for _where, status in results)
    assert set(statuses) <= {200, 400}, statuses
    outcome = Counter(where for where, _status in results)
    assert outcome["done"] == CODES, outcome
    assert len(results) == THREADS * CODES
    assert Ballot.objects.filter(session=session).count() == CODES
    assert Receipt.objects.filter(session=session).count() == CODES
    assert VoterCode.objects.filter(session=session, used=True).count() == CODES
    # A lost race: the ballot page was shown (the code was unused), the ballot refused;
    # of those, some found the code unused in `cast` too and were refused under its lock.
    return {
        "statuses": dict(statuses),
        "lost_races": outcome["ballot"],
        "refused_under_the_lock": found_unused - CODES,
    }


def naive_in_threads(codes: list[str], grades: dict[str, str]) -> list[Any]:
    def job(i: int) -> list[Any]:
        order = codes[:]
        random.Random(i).shuffle(order)
        out = []
        for code in order:
            try:
                services.naive_cast_for_tests(code, grades)
                out.append(("done", 200))
            except services.CodeRefused as refusal:
                out.append((refusal.kind, 400))
        return out

    return in_threads(job)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_counts_each_code_once_when_eight_browsers_send_all_codes_at_once(
    world: Any, no_guess_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    voting = make_session(world, invited=CODES, codes=CODES)
    found_unused = widen_the_window(monkeypatch)
    grades = grades_for(voting.session)
    started = time.perf_counter()
    results = through_the_pages(voting.codes, grades, voting.session.pk)
    figures = check_exactly_once(results, voting.session, len(found_unused))
    print(
        f"\n{THREADS}×{CODES} through the pages: {time.perf_counter() - started:.1f} s, {figures}"
    )
    # The seal after such a day keeps every ballot and counts every code.
    services.close_session(voting.session, actor=world.office)
    assert Ballot.objects.filter(session=voting.session).count() == CODES
    assert voting.session.groups.get().consumed == CODES


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_naive_check_then_save_counts_codes_twice(
    world: Any, no_guess_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the same race against the unlocked way stores too many."""
    voting = make_session(world, invited=CODES, codes=CODES)
    widen_the_window(monkeypatch)
    started = time.perf_counter()
    results = naive_in_threads(voting.codes, grades_for(voting.session))
    errors = [r[1] for r in results if r[0] == "exception"]
    assert not errors, errors[0]
    stored = Ballot.objects.filter(session=voting.session).count()
    print(f"\nnaive, {THREADS}×{CODES}: {stored} ballots for {CODES} codes "
          f"({stored - CODES} counted twice or more), {time.perf_counter() - started:.1f} s")  # fmt: skip
    assert stored > CODES
    assert sum(1 for where, _ in results if where == "done") == stored


# SQLite, on a file, in a subprocess ------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "sqlite" or bool(SQLITE_FILE),
    reason="SQLite only (the suite's SQLite run starts the file-database subprocess)",
)
def test_it_counts_each_code_once_on_sqlite(tmp_path: Path) -> None:
    """Runs the two cases below in a pytest of their own on a file database."""
    env = {**os.environ, "BALLOTS_SQLITE_RACE_FILE": str(tmp_path / "race.sqlite3")}
    env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-s", "-p", "no:cacheprovider",
         "-k", "sqlite_file", "--ds", "sanhao.ballots.tests.sqlite_file_settings"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(done.stdout[-2000:], f"\nsubprocess: {time.perf_counter() - started:.1f} s")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    assert "3 passed" in done.stdout, done.stdout[-3000:]


on_a_sqlite_file = pytest.mark.skipif(
    not SQLITE_FILE or connection.vendor != "sqlite",
    reason="run by test_it_counts_each_code_once_on_sqlite in a subprocess on a file database",
)


@on_a_sqlite_file
@pytest.mark.django_db(transaction=True)
def test_it_counts_each_code_once_on_a_sqlite_file(
    world: Any, no_guess_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert connection.settings_dict["NAME"] == SQLITE_FILE
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    voting = make_session(world, invited=CODES, codes=CODES)
    found_unused = widen_the_window(monkeypatch)
    started = time.perf_counter()
    results = through_the_pages(voting.codes, grades_for(voting.session), voting.session.pk)
    figures = check_exactly_once(results, voting.session, len(found_unused))
    print(f"\nSQLite, {THREADS}×{CODES} through the pages: "
          f"{time.perf_counter() - started:.1f} s, {figures}")  # fmt: skip


@on_a_sqlite_file
@pytest.mark.django_db(transaction=True)
def test_the_naive_way_counts_codes_twice_on_a_sqlite_file(
    world: Any, no_guess_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    voting = make_session(world, invited=CODES, codes=CODES)
    widen_the_window(monkeypatch)
    results = naive_in_threads(voting.codes, grades_for(voting.session))
    errors = [r[1] for r in results if r[0] == "exception"]
    assert not errors, errors[0]
    stored = Ballot.objects.filter(session=voting.session).count()
    print(f"\nSQLite naive: {stored} ballots for {CODES} codes")
    assert stored > CODES


def close_while_casting(world: Any) -> None:
    """The office closes the session while ballots arrive: each ballot is either in the
    seal or refused; none is lost, none lands after the seal, nothing deadlocks."""
    voting = make_session(world, invited=CODES, codes=CODES)
    grades = grades_for(voting.session)
    closed = threading.Event()

    def job(i: int) -> list[Any]:
        out: list[Any] = []
        if i == 0:
            while Ballot.objects.filter(session=voting.session).count() < CODES // 3:
                time.sleep(0.005)
            try:
                services.close_session(voting.session, actor=world.office)
                out.append(("sealed", 0))
            except Exception:
                out.append(("exception", traceback.format_exc()))
            closed.set()
            return out
        for code in voting.codes[i - 1 :: THREADS - 1]:
            try:
                out.append(("done", services.cast(code, grades)))
            except services.CodeRefused as refusal:
                out.append((refusal.kind, 0))
            except Exception:
                out.append(("exception", traceback.format_exc()))
        return out

    results = in_threads(job)
    errors = [r[1] for r in results if r[0] == "exception"]
    assert not errors, errors[0]
    kinds = Counter(kind for kind, _ in results)
    assert kinds["sealed"] == 1
    stored = Ballot.objects.filter(session=voting.session).count()
    print(f"\nclosing while voting: {dict(kinds)}, {stored} ballots in the seal")
    assert kinds["done"] == stored == voting.session.groups.get().consumed
    assert Receipt.objects.filter(session=voting.session).count() == stored
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT xmin::text) FROM ballots_ballot WHERE session_id = %s",
            [voting.session.pk],
        )
        assert cursor.fetchone()[0] == 1  # all written by the seal, none after it


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_closing_while_voters_cast_keeps_every_ballot_in_the_seal(
    world: Any, no_guess_limits: None
) -> None:
    close_while_casting(world)


@on_a_sqlite_file
@pytest.mark.django_db(transaction=True)
def test_closing_while_voters_cast_on_a_sqlite_file(world: Any, no_guess_limits: None) -> None:
    close_while_casting(world)
