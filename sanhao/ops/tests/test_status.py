"""The office's status page: the chain head, its verification, the checks, the tables."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.audit.services import ChainReport, chain_head
from sanhao.ops import services


def test_it_shows_the_office_the_chain_head_checks_tables_and_versions(world: Any) -> None:
    seq, hash_ = chain_head()
    page = world.client_for(world.office).get(reverse("ops:status"))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"第 {seq} 条" in body and hash_ in body
    assert "audit_auditentry" in body and "ballots_votercode" in body
    assert "Django" in body and connection.vendor in body


def test_it_refuses_everyone_but_the_office(world: Any) -> None:
    for user in (world.liaison_a, world.judge, world.viewer):
        client = world.client_for(user)
        assert client.get(reverse("ops:status")).status_code == 403
        assert client.post(reverse("ops:verify_audit")).status_code == 403
    assert not AuditEntry.objects.filter(action="ops.audit.verified").exists()


def test_verifying_the_chain_is_audited_and_says_the_result(world: Any) -> None:
    client = world.client_for(world.office)
    done = client.post(reverse("ops:verify_audit"), follow=True)
    assert done.status_code == 200 and "操作日志完好" in done.content.decode()
    entry = AuditEntry.objects.get(action="ops.audit.verified")
    assert entry.actor == world.office and entry.data["ok"] is True
    assert entry.data["checked"] == entry.seq - 1


def test_a_broken_chain_is_reported(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "verify_chain", lambda: ChainReport(False, 3, 4, "altered"))
    done = world.client_for(world.office).post(reverse("ops:verify_audit"), follow=True)
    assert "第 4 条被篡改" in done.content.decode() and "校验失败" in done.content.decode()
    assert AuditEntry.objects.get(action="ops.audit.verified").data["problem"] == "altered"


def test_the_office_finds_the_page_in_its_menu(world: Any) -> None:
    url = reverse("ops:status")
    assert url in world.client_for(world.office).get(reverse("home")).content.decode()
    assert url not in world.client_for(world.viewer).get(reverse("home")).content.decode()


def test_it_knows_the_commit_from_the_environment(settings: Any) -> None:
    services.git_commit.cache_clear()
    settings.GIT_COMMIT = "abc1234"
    try:
        assert services.versions()["commit"] == "abc1234"
    finally:
        services.git_commit.cache_clear()


def test_the_status_page_shows_the_last_backup_and_the_queue(world):
    import datetime as dt

    from django.utils import timezone

    from sanhao.backups.models import Backup

    client = world.client_for(world.office)
    page = client.get(reverse("ops:status")).content.decode()
    assert "尚未做过备份" in page and "任务队列" in page
    Backup.objects.create(started=timezone.now() - dt.timedelta(minutes=1),
                          finished=timezone.now(), path="/srv/sanhao-backups/sanhao-20261202-023000",
                          size_bytes=2048, vendor="sqlite", rows=10, files=1, head_seq=41,
                          head_hash="ab" * 32)  # fmt: skip
    page = client.get(reverse("ops:status")).content.decode()
    assert "sanhao-20261202-023000" in page and "审计链头 #41" in page


def test_healthz_fails_when_jobs_wait_and_no_worker_lives(world, client, settings):
    import datetime as dt

    from django.utils import timezone

    from sanhao.jobs import services as jobs
    from sanhao.jobs.models import Job

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}  # fmt: skip
    job = jobs.start("district_report", actor=world.office, campaign=world.campaign,
                     label="x", params={"fmt": "xlsx"})  # fmt: skip
    answer = client.get("/healthz").json()
    assert answer["checks"]["queue"]["ok"] and answer["checks"]["queue"]["queued"] == 1
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503 and not response.json()["checks"]["queue"]["ok"]
    jobs.beat("w1", host="app-1", pid=1, jobs_run=0)
    assert client.get("/healthz").status_code == 200
    assert "app-1" not in client.get("/healthz").content.decode()  # no host names in public
