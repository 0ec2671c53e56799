"""Starting, running and watching background jobs (models.py says what a job is).

`start` writes the job and its task in one transaction. The task (`tasks.run_job`) claims
the job with a conditional UPDATE, so two workers never run one job, reports progress
through `Progress`, and stores what came of it. The work itself is a handler registered
under the job's kind in `handlers.py`; a handler's writes are its own transactions, so
the progress it reports is seen by every application server while it runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sanhao.audit.services import record
from sanhao.jobs.models import Job, JobState, WorkerBeat
from sanhao.lib.errors import DomainError

logger = logging.getLogger("sanhao.jobs")

# A running job's heartbeat moves every HEARTBEAT seconds while its worker lives; one that
# has not moved for STALE seconds belongs to a dead worker and is queued again, at most
# MAX_ATTEMPTS times in all.
STALE_SECONDS = getattr(settings, "JOB_STALE_SECONDS", 60)


def heartbeat_every(stale: int) -> int:
    """At least three beats within `stale` seconds (and one every 10 s at most), so that a
    live worker's job never looks dead."""
    return max(1, min(10, stale // 3))


HEARTBEAT_SECONDS = heartbeat_every(STALE_SECONDS)
MAX_ATTEMPTS = 3
# Set by the worker command: a thread moves the heartbeat of the job it runs. Off when a
# job runs inside a request (the immediate backend of development and the tests).
HEARTBEAT_THREAD = False


@dataclass
class Outcome:
    """What a handler gives back: a message, a page to go on to, or a file to download."""

    message: str = ""
    url: str = ""
    content: bytes | None = None
    filename: str = ""
    content_type: str = ""
    report: dict[str, Any] | None = None


@dataclass
class Progress:
    """The handler's way to say how far it has got: `step(text)` after each stage."""

    job: Job
    total: int
    done: int = 0

    def step(self, stage: str, *, done: int | None = None) -> None:
        self.done = self.done + 1 if done is None else done
        now = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            done=min(self.done, self.total), total=self.total, stage=stage[:200], heartbeat=now
        )


Handler = Callable[[Job, Progress], Outcome]
Steps = int | Callable[[dict[str, Any]], int]
HANDLERS: dict[str, tuple[Steps, Handler]] = {}


def handler(kind: str, *, steps: Steps) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of `kind`, in `steps` stages (a
    number, or a function of the job's parameters)."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = (steps, function)
        return function

    return register


def _handlers() -> dict[str, tuple[Steps, Handler]]:
    from sanhao.jobs import handlers  # noqa: F401  (registers the kinds)

    return HANDLERS


def start(kind: str, *, actor: Any, label: str, campaign: Any = None,
          params: dict[str, Any] | None = None, upload: bytes | None = None) -> Job:  # fmt: skip
    """Queue a job of `kind`; the worker (or, in development, the request) runs it.

    `upload`: a file the job works on (an Excel import), kept in the storage every
    application server shares until the job has finished (`upload_of`)."""
    from sanhao.jobs.tasks import run_job

    if kind not in _handlers():
        raise DomainError(_("Unknown kind of job: %(kind)s") % {"kind": kind})
    params = dict(params or {})
    steps = _handlers()[kind][0]
    steps = steps(params) if callable(steps) else steps
    if upload is not None:
        params["upload"] = default_storage.save(f"jobs/uploads/{uuid.uuid4().hex}.bin",
                                                ContentFile(upload))  # fmt: skip
        params["upload_sha256"] = hashlib.sha256(upload).hexdigest()
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, label=label[:200], params=params, campaign=campaign,
                created_by=actor, created=timezone.now(), total=steps,
            )  # fmt: skip
            record("jobs.job.start", actor=actor, obj=job, data={"kind": kind, **params})
            # The task row is written in this transaction: both exist, or neither.
            task = run_job.enqueue(str(job.pk))
            Job.objects.filter(pk=job.pk).update(task_id=str(task.id)[:64])
    except BaseException:
        if upload is not None:
            default_storage.delete(params["upload"])
        raise
    job.refresh_from_db()
    return job


def upload_of(job: Job) -> bytes:
    """The file the job was started with (`start(upload=...)`)."""
    try:
        with default_storage.open(job.params["upload"], "rb") as handle:
            data: bytes = handle.read()
    except (KeyError, FileNotFoundError):
        raise DomainError(_("The uploaded file of this job is gone: upload it again.")) from None
    return data


def _forget_upload(job: Job) -> None:
    """A finished job's upload is deleted: it may hold personal data (a roster), and what
    was imported is in the database, with the file's sha256 in the audit log."""
    path = job.params.get("upload")
    if path:
        default_storage.delete(path)


def _claim(job_id: str) -> Job | None:
    """Take the job for this process: queued, or running with a dead worker's heartbeat."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=STALE_SECONDS)
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, heartbeat__lt=stale)
    taken = Job.objects.filter(claimable, pk=job_id).update(
        state=JobState.RUNNING, started=now, heartbeat=now, done=0, stage=""
    )
    if not taken:
        return None
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    job.attempts += 1
    return job


class _Heartbeat(threading.Thread):
    """Moves the job's heartbeat while the handler works (its own connection)."""

    def __init__(self, job_id: Any) -> None:
        super().__init__(daemon=True, name=f"job-heartbeat-{job_id}")
        self.job_id = job_id
        self.halt = threading.Event()

    def run(self) -> None:
        try:
            while not self.halt.wait(HEARTBEAT_SECONDS):
                Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(
                    heartbeat=timezone.now()
                )
        finally:
            close_old_connections()
            from django.db import connection

            connection.close()


def run(job_id: str) -> str:
    """Run the job `job_id` once (the task's body). Returns its final state."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    work = _handlers()[job.kind][1]
    progress = Progress(job=job, total=job.total)
    beat = _Heartbeat(job.pk) if HEARTBEAT_THREAD else None
    if beat is not None:
        beat.start()
    try:
        outcome = work(job, progress)
    except DomainError as error:
        _finish(job, JobState.FAILED, message=error.message)
    except Exception:
        logger.error("job %s (%s) failed:\n%s", job.pk, job.kind, traceback.format_exc())
        _finish(job, JobState.FAILED,
                message=_("The job failed because of an error in the system. The error has "
                          "been logged; start it again, or tell the administrator."))  # fmt: skip
    else:
        _finish(job, JobState.DONE, outcome=outcome)
    finally:
        if beat is not None:
            beat.halt.set()
    return Job.objects.get(pk=job.pk).state


def _finish(job: Job, state: str, *, message: str = "", outcome: Outcome | None = None) -> None:
    fields: dict[str, Any] = {"state": state, "finished": timezone.now(), "heartbeat": None}
    if outcome is not None:
        fields |= {"message": outcome.message[:1000], "result_url": outcome.url[:300],
                   "done": job.total if job.total else 1, "report": outcome.report or {}}  # fmt: skip
        if outcome.content is not None:
            path = default_storage.save(f"jobs/{job.pk}/{outcome.filename or 'result'}",
                                        ContentFile(outcome.content))  # fmt: skip
            fields |= {"result_file": path, "result_name": outcome.filename,
                       "result_type": outcome.content_type}  # fmt: skip
    else:
        fields["message"] = message[:1000]
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(**fields)
        record(f"jobs.job.{state}", actor=job.created_by, obj=job,
               data={"kind": job.kind, "attempt": job.attempts})  # fmt: skip
    _forget_upload(job)


def requeue_stale(*, now: dt.datetime | None = None) -> list[Job]:
    """Queue again the jobs whose worker died (heartbeat older than STALE_SECONDS); fail
    the ones that have used up their attempts. Run by every worker loop."""
    from sanhao.jobs.tasks import run_job

    now = now or timezone.now()
    stale = Job.objects.filter(state=JobState.RUNNING,
                               heartbeat__lt=now - dt.timedelta(seconds=STALE_SECONDS))  # fmt: skip
    requeued = []
    for job in stale:
        with transaction.atomic():
            if job.attempts >= MAX_ATTEMPTS:
                taken = Job.objects.filter(pk=job.pk, state=JobState.RUNNING,
                                           heartbeat=job.heartbeat).update(
                    state=JobState.FAILED, finished=now, heartbeat=None,
                    message=_("The job was stopped %(n)s times before it could finish "
                              "(its worker ended). Start it again.") % {"n": job.attempts},
                )  # fmt: skip
                if taken:
                    record("jobs.job.failed", actor=job.created_by, obj=job,
                           data={"kind": job.kind, "attempt": job.attempts, "stale": True})  # fmt: skip
                    transaction.on_commit(functools.partial(_forget_upload, job))
                continue
            taken = Job.objects.filter(pk=job.pk, state=JobState.RUNNING,
                                       heartbeat=job.heartbeat).update(
                state=JobState.QUEUED, heartbeat=None, stage=""
            )  # fmt: skip
            if not taken:
                continue
            # The dead worker's task row stays "running" for ever otherwise.
            DBTaskResult.objects.filter(id=job.task_id, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
            task = run_job.enqueue(str(job.pk))
            Job.objects.filter(pk=job.pk).update(task_id=str(task.id)[:64])
            record("jobs.job.requeue", actor=None, obj=job,
                   data={"kind": job.kind, "attempt": job.attempts})  # fmt: skip
        logger.warning("job %s (%s) requeued: its worker stopped", job.pk, job.kind)
        requeued.append(job)
    return requeued


def in_background(size: int) -> bool:
    """Whether an uploaded file of `size` bytes is imported by a job (IMPORT_JOB_BYTES)."""
    return size > int(getattr(settings, "IMPORT_JOB_BYTES", 256 * 1024))


def beat(worker_id: str, *, host: str, pid: int, jobs_run: int) -> None:
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(seen=now, jobs_run=jobs_run)
    if not updated:
        WorkerBeat.objects.create(worker_id=worker_id, host=host[:200], pid=pid, started=now,
                                  seen=now, jobs_run=jobs_run)  # fmt: skip


def retire(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class QueueState:
    queued: int
    running: int
    oldest_queued: dt.datetime | None
    workers: list[WorkerBeat]

    @property
    def worker_alive(self) -> bool:
        return bool(self.workers)

    @property
    def ok(self) -> bool:
        """Healthy: a worker is alive, or nothing is waiting for one."""
        if self.worker_alive:
            return True
        if self.oldest_queued is None:
            return True
        return (timezone.now() - self.oldest_queued).total_seconds() < STALE_SECONDS


def queue_state() -> QueueState:
    alive_since = timezone.now() - dt.timedelta(seconds=STALE_SECONDS)
    oldest = (Job.objects.filter(state=JobState.QUEUED).order_by("created")
              .values_list("created", flat=True).first())  # fmt: skip
    return QueueState(
        queued=Job.objects.filter(state=JobState.QUEUED).count(),
        running=Job.objects.filter(state=JobState.RUNNING).count(),
        oldest_queued=oldest,
        workers=list(WorkerBeat.objects.filter(seen__gte=alive_since).order_by("host", "pid")),
    )


def visible_jobs(user: Any) -> Any:
    """The jobs `user` may see: the office sees all, anyone else only their own."""
    jobs = Job.objects.select_related("created_by")
    if getattr(user, "is_office", False):
        return jobs
    return jobs.filter(created_by=user)
