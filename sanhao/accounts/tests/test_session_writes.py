"""An office request does not write its session row every time (issue 6, item 14); the
idle window still moves, once a minute."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanhao.accounts import middleware
from sanhao.conftest import PASSWORD


def _session_writes(client: Client, times: int) -> int:
    with CaptureQueriesContext(connection) as context:
        for _ in range(times):
            assert client.get(reverse("orgs:unit_list")).status_code == 200
    return sum(
        1
        for q in context.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_ten_office_requests_in_a_minute_write_the_session_once_at_most(
    world, monkeypatch, settings
):
    settings.OFFICE_IDLE_SECONDS = 1800
    now = [1_800_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    client = Client()
    client.post(reverse("accounts:login"), {"username": "office", "password": PASSWORD})
    assert _session_writes(client, 1) == 1  # the window starts
    assert _session_writes(client, 10) == 0
    assert client.session.get_expiry_age() == 1800
    now[0] += 61
    assert _session_writes(client, 3) == 1  # a minute later it moves, once
