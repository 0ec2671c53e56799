"""Background jobs through the queue: started from a page, run by the worker, watched
with a progress bar, queued again when their worker dies, refused to anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sanhao.audit.models import AuditEntry
from sanhao.jobs import services
from sanhao.jobs.models import Job, JobState, WorkerBeat
from sanhao.rankings.models import ScoreRun
from sanhao.rankings.tests.test_runs import fill

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def queue(transactional_db, settings, tmp_path):
    """Jobs go to the database queue and wait for a worker, as in production. The worker
    refreshes its connections between jobs as a long-running process must, which closes
    a connection held inside a test's transaction: these tests commit for real."""
    settings.TASKS = QUEUE
    settings.MEDIA_ROOT = tmp_path


def test_the_office_computes_through_the_queue_and_the_page_goes_on(world, queue):
    fill(world)
    client = world.client_for(world.office)
    response = client.post(reverse("rankings:compute", args=[world.campaign.pk]))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == JobState.QUEUED and job.kind == "recompute"
    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    assert not ScoreRun.objects.exists()  # nothing ran in the request
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and "后台任务" in page and 'hx-trigger="every 1s"' in page

    call_command("run_worker", "--once", verbosity=0)

    job.refresh_from_db()
    run = ScoreRun.objects.get()
    assert (job.state, job.done, job.total, job.attempts) == (JobState.DONE, 5, 5, 1)
    fragment = client.get(reverse("jobs:progress", args=[job.pk]))
    assert fragment["HX-Redirect"] == reverse("rankings:scores", args=[world.campaign.pk])
    assert "hx-trigger" not in fragment.content.decode()  # polling stops
    # The message travels to the scores page the browser is sent on to.
    body = client.get(fragment["HX-Redirect"]).content.decode()
    assert f"已完成计分（第 {run.pk} 次" in body
    actions = list(
        AuditEntry.objects.filter(object_id=str(job.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["jobs.job.start", "jobs.job.done"]
    assert not WorkerBeat.objects.exists()  # the worker said goodbye


def test_the_progress_is_seen_between_the_stages(world, queue, monkeypatch):
    """Each stage's step is written at once, not at the end of the job."""
    fill(world)
    job = services.start("recompute", actor=world.office, campaign=world.campaign, label="x")
    seen: list[tuple[int, str]] = []
    original = services.Progress.step

    def watch(self, stage, *, done=None):
        original(self, stage, done=done)
        row = Job.objects.get(pk=job.pk)
        seen.append((row.done, row.stage))

    monkeypatch.setattr(services.Progress, "step", watch)
    call_command("run_worker", "--once", verbosity=0)
    assert [done for done, _ in seen] == [1, 2, 3, 4]
    assert seen[0][1] == "已读取本年度事实"


def test_a_job_that_fails_says_why_and_the_page_shows_it(world, queue):
    fill(world, [world.a])  # 乙街道 lacks a figure: the engine is refused
    client = world.client_for(world.office)
    client.post(reverse("rankings:compute", args=[world.campaign.pk]))
    call_command("run_worker", "--once", verbosity=0)
    job = Job.objects.get()
    assert job.state == JobState.FAILED and "尚缺：乙街道·开票销售" in job.message
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "尚缺：乙街道·开票销售" in page and 'role="alert"' in page


def test_a_job_whose_worker_died_is_queued_again_and_finishes(world, queue):
    fill(world)
    job = services.start("recompute", actor=world.office, campaign=world.campaign, label="x")
    # A worker claimed it and was killed: running, with a heartbeat that stopped.
    long_ago = timezone.now() - dt.timedelta(seconds=services.STALE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat=long_ago, attempts=1)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")
    call_command("run_worker", "--once", verbosity=0)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert ScoreRun.objects.count() == 1
    assert AuditEntry.objects.filter(action="jobs.job.requeue", object_id=str(job.pk)).exists()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1  # the dead worker's
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


def test_a_running_job_with_a_live_heartbeat_is_left_alone(world, queue):
    fill(world)
    job = services.start("recompute", actor=world.office, campaign=world.campaign, label="x")
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat=timezone.now())
    assert services.requeue_stale() == []
    assert services.run(str(job.pk)) == "skipped"  # another worker has it
    assert not ScoreRun.objects.exists()


def test_a_job_stopped_too_often_fails_instead_of_looping(world, queue):
    job = services.start("recompute", actor=world.office, campaign=world.campaign, label="x")
    long_ago = timezone.now() - dt.timedelta(seconds=services.STALE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat=long_ago,
                                         attempts=services.MAX_ATTEMPTS)  # fmt: skip
    services.requeue_stale()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "3 次" in job.message


def test_the_district_report_is_generated_in_the_background_and_downloaded(world, queue):
    client = world.client_for(world.office)
    response = client.post(reverse("jobs:district_report", args=[world.campaign.pk, "docx"]))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404  # not yet
    call_command("run_worker", "--once", verbosity=0)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "下载" in page and ".docx" in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert "attachment" in download["Content-Disposition"]


def test_another_account_cannot_see_or_download_a_job(world, queue):
    job = services.start("district_report", actor=world.office, campaign=world.campaign,
                         label="x", params={"fmt": "xlsx"})  # fmt: skip
    call_command("run_worker", "--once", verbosity=0)
    for user in (world.viewer, world.liaison_a, world.judge):
        client = world.client_for(user)
        for name in ("jobs:detail", "jobs:progress", "jobs:download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (name, user)
        assert client.get(reverse("jobs:status")).status_code == 404
    assert world.client_for(world.office).get(reverse("jobs:detail", args=["not-a-uuid"])
                                              ).status_code == 404  # fmt: skip


def test_the_status_page_shows_the_workers_and_the_waiting_jobs(world, queue):
    client = world.client_for(world.office)
    page = client.get(reverse("jobs:status")).content.decode()
    assert "没有正在运行的后台任务进程" in page
    services.start("district_report", actor=world.office, campaign=world.campaign,
                   label="区年度报告", params={"fmt": "xlsx"})  # fmt: skip
    services.beat("w1", host="app-1", pid=42, jobs_run=3)
    page = client.get(reverse("jobs:status")).content.decode()
    assert "app-1" in page and "区年度报告" in page and "排队：1" in page
    assert services.queue_state().ok


def test_the_queue_is_unhealthy_when_jobs_wait_and_no_worker_lives(world, queue):
    job = services.start("district_report", actor=world.office, campaign=world.campaign,
                         label="x", params={"fmt": "xlsx"})  # fmt: skip
    assert services.queue_state().ok  # just queued
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - dt.timedelta(minutes=5))
    assert not services.queue_state().ok


def test_an_unknown_kind_is_refused(world):
    from sanhao.lib.errors import DomainError

    with pytest.raises(DomainError):
        services.start("nope", actor=world.office, label="x")
    assert not Job.objects.exists()


def test_the_office_checks_the_queue_and_a_worker_takes_the_job(world, queue, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr("time.sleep", pauses.append)
    client = world.client_for(world.office)
    assert "检查队列" in client.get(reverse("jobs:status")).content.decode()
    response = client.post(reverse("jobs:selfcheck"))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.state, job.total) == ("selfcheck", JobState.QUEUED, 5)
    call_command("run_worker", "--once", verbosity=0)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.done == 5 and pauses == [1.0] * 5
    assert job.message.startswith("队列正常：后台任务进程 ") and "接手" in job.message


def test_a_selfcheck_keeps_its_steps_and_pauses_within_bounds(world, queue, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr("time.sleep", pauses.append)
    job = services.start("selfcheck", actor=world.office, label="x",
                         params={"steps": 10_000, "pause_ms": 60_000})  # fmt: skip
    assert job.total == 600
    services.run(str(job.pk))
    assert set(pauses) == {5.0} and len(pauses) == 600


def test_the_heartbeat_beats_at_least_three_times_before_a_job_looks_stale():
    assert services.HEARTBEAT_SECONDS * 3 <= services.STALE_SECONDS
    beats = {stale: services.heartbeat_every(stale) for stale in (3600, 60, 9, 3)}
    assert beats == {3600: 10, 60: 10, 9: 3, 3: 1}
