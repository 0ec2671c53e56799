"""A large Excel file is imported by the worker (IMPORT_JOB_BYTES): the page starts a job
with the file kept in the shared storage, the job imports it with the page's own importer,
saves every row or none, and its page shows what the import page would have shown — the
counts, or the problems that refused it. The upload is deleted once the job has ended."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sanhao.audit.models import AuditEntry
from sanhao.jobs import services
from sanhao.jobs.models import Job, JobState
from sanhao.jobs.tests.test_jobs import QUEUE
from sanhao.orgs.models import Person, RosterProblems
from sanhao.orgs.tests.test_roster_import import workbook as roster
from sanhao.orgs.tests.test_roster_page import _upload as upload_roster
from sanhao.records.models import ProcessRecord
from sanhao.records.tests.test_records_import import upload as upload_records
from sanhao.records.tests.test_records_import import workbook as records
from sanhao.targets.models import Figure
from sanhao.targets.tests.test_actuals_import import actual, unitless, upload, workbook

__all__ = ["unitless"]  # the fixture, used by name (autouse in its module only)


@pytest.fixture
def large(settings, tmp_path):
    """Every upload counts as large: imported by a job, not by the request."""
    settings.IMPORT_JOB_BYTES = 0
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def queue(transactional_db, settings, large):
    settings.TASKS = QUEUE


def uploads_left(media) -> list[str]:
    folder = media / "jobs" / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_small_file_is_still_imported_by_the_request(world, settings, tmp_path, unitless):
    settings.MEDIA_ROOT = tmp_path
    client = world.client_for(world.office)
    response = upload(client, world, workbook([["town-a", "甲镇", "50", None, None]]))
    assert response.status_code == 302 and not Job.objects.exists()
    assert actual(world, world.a) == Decimal("50")


def test_a_large_actuals_file_waits_for_the_worker_then_leads_to_the_table(world, queue, unitless):
    client = world.client_for(world.liaison_a)
    response = upload(client, world, workbook([["town-a", "甲镇", "50", None, None]]),
                      unit="town-a")  # fmt: skip
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.state, job.params["importer"]) == ("import", JobState.QUEUED, "actuals")
    assert not Figure.objects.exists()  # nothing was imported by the request
    assert default_storage.exists(job.params["upload"])
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "正在等待后台任务进程" in page
    call_command("run_worker", "--once", verbosity=0)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.refused is False
    assert actual(world, world.a) == Decimal("50")
    figures = reverse("targets:unit_figures", kwargs={"pk": world.campaign.pk, "code": "town-a"})
    assert job.result_url == f"{figures}?month=10"
    assert job.message == "已导入：1 项数据有变化。"
    answer = client.get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert answer["HX-Redirect"] == job.result_url
    assert not default_storage.exists(job.params["upload"])  # deleted once imported
    entry = AuditEntry.objects.get(action="jobs.job.start")
    assert entry.data["upload_sha256"] == job.params["upload_sha256"]


def test_a_refused_import_job_saves_nothing_and_shows_the_problems(world, queue, unitless):
    data = workbook([["town-a", "甲镇", "50", None, None], ["town-b", "乙街道", "60", None, None]])
    client = world.client_for(world.liaison_a)
    upload(client, world, data)
    call_command("run_worker", "--once", verbosity=0)
    job = Job.objects.get()
    assert job.state == JobState.DONE and job.refused
    assert not Figure.objects.exists()
    assert job.message == "发现 1 个问题，未保存任何数据。"
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "第 4 行 A（单位代码）列" in page and 'role="alert"' in page
    again = reverse("targets:actuals_import", kwargs={"pk": world.campaign.pk})
    assert f'href="{again}?unit=town-a&amp;month=10"' in page  # upload the file again
    answer = client.get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in answer  # the page itself is the result
    assert not default_storage.exists(job.params["upload"])


def test_a_liaisons_import_job_still_writes_only_their_own_unit(world, large, unitless):
    """The job acts with the rights of the one who started it, checked again when it runs."""
    data = workbook([["town-b", "乙街道", "60", None, None]])
    upload(world.client_for(world.liaison_a), world, data)
    job = Job.objects.get()
    assert job.refused and job.params["unit"] == "town-a"
    assert "第 3 行 A（单位代码）列" in " ".join(job.report["problems"])
    assert not Figure.objects.exists()


def test_a_large_roster_is_imported_by_a_job_with_its_counts(world, large):
    client = world.client_for(world.office)
    response = upload_roster(client, roster())
    job = Job.objects.get()  # the immediate backend of the tests ran it in the request
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == JobState.DONE and job.message == "导入成功。"
    assert job.report["counts"]["人员"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert Person.objects.filter(code="P1", name="花书记").exists()
    page = client.get(response["Location"]).content.decode()
    assert "<td>人员</td><td>4</td><td>0</td><td>0</td>" in page
    assert AuditEntry.objects.filter(action="orgs.roster.import").count() == 1
    assert uploads_left(large) == []


def test_a_refused_roster_job_offers_every_problem_as_a_workbook(world, large):
    client = world.client_for(world.office)
    people = [[f"P{i}", "", "男", None, None, None] for i in range(300)]
    response = upload_roster(client, roster(people=people, posts=[]))
    job = Job.objects.get()
    assert job.refused and job.report["count"] == 300 and len(job.report["problems"]) == 200
    kept = RosterProblems.objects.get(actor=world.office)
    url = reverse("orgs:roster_problems", kwargs={"problems_pk": kept.pk})
    page = client.get(response["Location"]).content.decode()
    assert url in page and "下载全部 300 个问题（.xlsx）" in page and "此处列出前 200 条" in page
    assert not Person.objects.filter(code="P0").exists()
    assert client.get(url)["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_large_records_file_is_imported_by_a_job(world, large):
    data = records([["town-a", "甲镇", "中心组月学", "3月", "2026-03-12", "理论学习", None, None]])
    response = upload_records(world.client_for(world.office), world, data)
    job = Job.objects.get()
    assert response["Location"] == reverse("records:grid", kwargs={"pk": world.campaign.pk})
    assert job.state == JobState.DONE and ProcessRecord.objects.count() == 1


def test_an_import_job_whose_file_is_gone_fails_and_says_so(world, queue, unitless):
    upload(world.client_for(world.office), world, workbook([["town-a", "甲镇", "50", None, None]]))
    job = Job.objects.get()
    default_storage.delete(job.params["upload"])
    call_command("run_worker", "--once", verbosity=0)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "上传的文件已不在" in job.message


def test_a_job_that_cannot_be_queued_leaves_no_file_behind(world, large, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("the audit log refused the entry")

    monkeypatch.setattr(services, "record", refuse)
    with pytest.raises(RuntimeError):
        services.start("import", actor=world.office, label="x", upload=b"PK",
                       params={"importer": "roster"})  # fmt: skip
    assert uploads_left(large) == [] and not Job.objects.exists()


@pytest.mark.parametrize(
    "page",
    ["orgs:roster_import", "targets:actuals_import", "records:records_import"],
)
def test_each_import_page_tells_the_clerk_when_a_file_goes_to_the_background(world, page):
    args = [] if page.startswith("orgs") else [world.campaign.pk]
    body = world.client_for(world.office).get(reverse(page, args=args)).content.decode()
    assert "文件不超过 2048 KB。超过 256 KB 的文件在后台导入" in body


def test_an_import_saved_by_a_worker_that_died_is_not_saved_twice(world, queue):
    """The worker was killed after the import's commit, before the job was marked done:
    the next attempt finds the mark written in the same commit and adds nothing."""
    from sanhao.jobs import handlers

    data = records([["town-a", "甲镇", "中心组月学", "3月", "2026-03-12", "理论学习", None, None]])
    upload_records(world.client_for(world.office), world, data)
    job = Job.objects.get()
    handlers.import_workbook(job, services.Progress(job=job, total=job.total))  # then killed
    assert ProcessRecord.objects.count() == 1
    long_ago = timezone.now() - dt.timedelta(seconds=services.STALE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat=long_ago, attempts=1)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")
    call_command("run_worker", "--once", verbosity=0)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert ProcessRecord.objects.count() == 1
    assert job.result_url == reverse("records:grid", kwargs={"pk": world.campaign.pk})
    assert AuditEntry.objects.filter(action="records.records.import").count() == 1
