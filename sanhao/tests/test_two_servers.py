"""Two application servers, one PostgreSQL database, one upload storage (issue 10).

Two gunicorn instances on loopback, started from this test against the test database:
a session signed in on one is signed in on the other, a file uploaded through one is
downloaded through the other, and a job started on one is watched on the other while a
separate worker process runs it — and still there after the first server restarts.
Nothing is kept on an application server's own disk.
"""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from sanhao.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="several application servers share a PostgreSQL database (SQLite is one machine's)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(media: Path) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DEBUG": "1",  # plain HTTP on loopback: no HTTPS redirect, no secure cookies
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "JOBS_BACKEND": "database",
        "LOGIN_THROTTLE": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


class Server:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log, self.port = env, log, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "sanhao.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--timeout", "60", "--no-control-socket"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=10).read()
                return
            except OSError:  # not listening yet (URLError), or still loading Django
                assert self.process.poll() is None, self.log.read_text()[-3000:]
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class Browser:
    """One person's cookies, sent to whichever server is asked."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, url: str) -> tuple[int, bytes, Any]:
        try:
            with self.opener.open(url, timeout=30) as answer:
                return answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def csrf(self) -> str:
        return next(str(c.value) for c in self.jar if c.name == "csrftoken")

    def post(self, url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None,
             referer: str = "") -> tuple[int, bytes, Any]:  # fmt: skip
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                )
            for name, (filename, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode() + content + b"\r\n")  # fmt: skip
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": kind, "Referer": referer or url})  # fmt: skip
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _wait(check: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("gave up waiting")


def test_two_servers_share_sessions_uploads_and_jobs(transactional_db, world, settings, tmp_path):
    from sanhao.jobs.models import Job, JobState
    from sanhao.records.tests.helpers import add

    # The servers hash passwords as production does (the tests use a fast hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    world.office.set_password(PASSWORD)
    world.office.save()
    record = add(world)
    media = tmp_path / "shared-media"  # the storage every server mounts
    env = _environment(media)
    one, two = Server(env, tmp_path / "one.log"), Server(env, tmp_path / "two.log")
    worker = None
    try:
        one.start()
        two.start()
        office = Browser()

        # A session signed in on one server is signed in on the other.
        office.get(f"{one.url}/accounts/login/")
        status, _body, headers = office.post(f"{one.url}/accounts/login/",
                                             {"username": "office", "password": PASSWORD})  # fmt: skip
        assert status == 302, _body[-500:]
        status, body, _ = office.get(f"{two.url}/")
        assert status == 200 and "当前账号：office" in body.decode()

        # A file uploaded through one is downloaded through the other.
        records = f"/years/{world.campaign.pk}/units/{world.a.code}/records/"
        status, _body, _ = office.post(f"{one.url}{records}attach/", {"record": str(record.pk)},
                                       files={"file": ("纪要.pdf", PDF)})  # fmt: skip
        assert status == 302
        from sanhao.records.models import RecordAttachment

        attachment = RecordAttachment.objects.get(record=record)
        download = f"{records}files/{attachment.pk}/"
        status, content, _ = office.get(f"{two.url}{download}")
        assert status == 200 and content == PDF, (status, content[:200])

        # A job started on one is seen on the other, waits for a worker, and survives a
        # restart of the server it was started on.
        status, _body, headers = office.post(
            f"{one.url}/years/{world.campaign.pk}/report-job.xlsx", {}
        )
        assert status == 302
        job_page = headers["Location"]
        job = Job.objects.get()
        assert job_page == f"/jobs/{job.pk}/" and job.state == JobState.QUEUED
        one.stop()
        one.start()
        status, body, _ = office.get(f"{two.url}{job_page}")
        assert status == 200 and "排队中" in body.decode()

        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=(tmp_path / "worker.log").open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait(lambda: Job.objects.get(pk=job.pk).is_finished)
        job.refresh_from_db()
        assert job.state == JobState.DONE, (tmp_path / "worker.log").read_text()[-2000:]
        status, body, _ = office.get(f"{two.url}/jobs/{job.pk}/progress/")
        assert status == 200 and "已完成" in body.decode()
        status, content, headers = office.get(f"{one.url}/jobs/{job.pk}/download/")
        assert (
            status == 200
            and content[:2] == b"PK"
            and "attachment" in headers["Content-Disposition"]
        )
        assert (media / job.result_file).exists()
        status, body, _ = office.get(f"{two.url}/jobs/")
        assert status == 200 and "已执行任务数" in body.decode()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
        one.stop()
        two.stop()
