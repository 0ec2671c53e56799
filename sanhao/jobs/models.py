"""Background jobs (docs/operations.md "Background jobs").

A Job is the office's view of one piece of long work: what it is, who started it, how far
it has got and what came of it. The queue itself is django-tasks with its database backend
(django_tasks_db): a job row and its task row are written in one transaction, so a job is
never queued without its task nor a task without its job, and both outlive a restart of
the application server and of the worker. A worker that dies mid-job leaves the job
"running" with a heartbeat that stops moving; the next worker loop queues it again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    campaign = models.ForeignKey(
        "campaigns.CampaignYear", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    created = models.DateTimeField()
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    # Progress: `done` of `total` steps, and what the job is doing now.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=1)
    stage = models.CharField(max_length=200, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    # What came of it: a message, a link inside the site, and/or a file in the storage
    # every application server shares (MEDIA_ROOT), downloaded through the job's page.
    message = models.CharField(max_length=1000, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=120, blank=True)
    # What the job found, shown on its page: an import's counts, or the problems that
    # refused it ({"ok": false, "count": n, "problems": [the first of them]}).
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["state", "heartbeat"], name="jobs_state_heartbeat")]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def refused(self) -> bool:
        """Finished, but what it was asked to do was refused (an import with problems)."""
        return self.state == JobState.DONE and self.report.get("ok") is False

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class WorkerBeat(models.Model):
    """One row per running worker process, touched on every loop: the health check and
    the status page tell from it whether any worker is alive."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField()
    seen = models.DateTimeField()
    jobs_run = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
