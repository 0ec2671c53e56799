"""A worker killed in the middle of a job (SIGKILL: no chance to clean up), and a worker
stopped by systemd (SIGTERM): real `manage.py run_worker` processes against the test
database. The killed worker's job stays "running" with a heartbeat that stops moving;
the next worker queues it again once the heartbeat is JOB_STALE_SECONDS old and runs it
to the end. A stopped worker finishes its job first.

PostgreSQL only: the worker processes share the test database with this test (the
SQLite test database is this process's own)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django_tasks_db.models import DBTaskResult

from sanhao.audit.models import AuditEntry
from sanhao.jobs import services
from sanhao.jobs.models import Job, JobState, WorkerBeat
from sanhao.jobs.tests.test_jobs import QUEUE
from sanhao.tests.test_two_servers import ROOT, _environment

pytestmark = pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="worker processes share a PostgreSQL test database (SQLite's is this process's)",
)
STALE = 3  # seconds: the workers' JOB_STALE_SECONDS (their heartbeat: every second)


@pytest.fixture
def workers(transactional_db, settings, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    settings.TASKS = QUEUE
    settings.MEDIA_ROOT = tmp_path
    env = {**_environment(tmp_path), "JOB_STALE_SECONDS": str(STALE)}
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = Path(tmp_path) / f"worker-{len(started)}.log"
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def wait_for(what: str, check: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


def job_now(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def test_a_job_whose_worker_is_killed_is_run_again_by_the_next_worker(world, workers):
    first = workers()
    job = services.start("selfcheck", actor=world.office, label="kill",
                         params={"steps": 16, "pause_ms": 250})  # fmt: skip
    wait_for("the first worker to be two steps in", lambda: job_now(job).done >= 2)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    dead = job_now(job)
    assert dead.state == JobState.RUNNING and dead.attempts == 1
    time.sleep(1.5)  # longer than its heartbeat: nobody moves it any more
    assert job_now(job).heartbeat == dead.heartbeat and job_now(job).done == dead.done

    second = workers()
    done = wait_for("the second worker to finish the job",
                    lambda: (j := job_now(job)).state == JobState.DONE and j, seconds=40)  # fmt: skip
    assert time.monotonic() - killed_at >= STALE - 0.5  # not taken before it was stale
    assert done.attempts == 2 and done.done == 16
    assert f":{second.pid} " in done.message  # the message names the worker that ran it
    assert AuditEntry.objects.filter(action="jobs.job.requeue", object_id=str(job.pk)).exists()
    tasks = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert tasks == ["FAILED", "SUCCESSFUL"]  # the dead worker's task, then the new one
    alive = {w.pid for w in services.queue_state().workers}
    assert second.pid in alive
    # The killed worker's row stays (it could not retire) and drops out of "alive" in time.
    assert WorkerBeat.objects.filter(pid=first.pid).exists()


def test_a_worker_stopped_by_systemd_finishes_its_job_first(world, workers):
    worker = workers()
    job = services.start("selfcheck", actor=world.office, label="term",
                         params={"steps": 8, "pause_ms": 250})  # fmt: skip
    wait_for("the worker to start the job", lambda: job_now(job).done >= 1)
    worker.send_signal(signal.SIGTERM)  # systemctl stop
    assert worker.wait(timeout=20) == 0
    finished = job_now(job)
    assert finished.state == JobState.DONE and finished.attempts == 1 and finished.done == 8
    assert not WorkerBeat.objects.filter(pid=worker.pid).exists()  # it retired
