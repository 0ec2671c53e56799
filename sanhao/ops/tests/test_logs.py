"""The JSON log lines, the request line of every request, and no raw path in Django's logs."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.test import Client
from django.urls import reverse

from sanhao.lib.logs import JsonFormatter, RedactPaths, request_id

CODE = "K7M2PQX4RT"  # shaped like a voter code


def _line(record: logging.LogRecord) -> dict[str, Any]:
    return json.loads(JsonFormatter().format(record))


def test_it_writes_one_json_object_with_the_time_zone_and_only_whitelisted_fields() -> None:
    record = logging.LogRecord("sanhao.x", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    record.route = "/vote/"
    record.request = object()  # what Django attaches: never written
    record.secret = "s3cret"
    token = request_id.set("abc123")
    try:
        line = _line(record)
    finally:
        request_id.reset(token)
    assert line["message"] == "hello you" and line["level"] == "WARNING"
    assert line["logger"] == "sanhao.x" and line["route"] == "/vote/"
    assert line["request_id"] == "abc123"
    assert line["time"].endswith("+08:00") and "T" in line["time"]
    assert "request" not in line and "secret" not in line and "s3cret" not in json.dumps(line)


def test_it_writes_an_exception_as_its_traceback() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = _line(record)
    assert line["exc"].startswith("Traceback") and "ValueError: broken" in line["exc"]
    assert "\n" not in JsonFormatter().format(record)


def test_the_development_server_logs_the_route_not_the_path_or_query() -> None:
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /vote/3/?code={CODE} HTTP/1.1", "200", "512"), None)  # fmt: skip
    RedactPaths().filter(record)
    assert record.getMessage() == '"GET /vote/<int:session_pk>/" 200 512'
    unknown = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                                (f"GET /vote/{CODE}/ HTTP/1.1", "404", "10"), None)  # fmt: skip
    RedactPaths().filter(unknown)
    assert CODE not in unknown.getMessage() and "(unmatched)" in unknown.getMessage()


def test_a_code_in_a_path_or_query_never_reaches_djangos_request_log(db: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    assert Client().get(f"/vote/{CODE}/?code={CODE}").status_code == 404
    assert Client().post(f"/vote/ballot/?code={CODE}", {"code": CODE}).status_code in (400, 403)
    logged = [JsonFormatter().format(r) for r in caplog.records]
    assert any(r.name == "django.request" for r in caplog.records)
    assert not [line for line in logged if CODE in line]


def test_it_logs_each_request_once_with_its_route_status_duration_and_id(
    db: Any, caplog: Any
) -> None:
    caplog.set_level(logging.INFO, logger="sanhao.request")
    response = Client().get("/healthz?x=1", HTTP_X_REQUEST_ID="0123456789abcdef0123")
    assert response["X-Request-ID"] == "0123456789abcdef0123"
    assert response["Server-Timing"].startswith("app;dur=")
    (record,) = [r for r in caplog.records if r.name == "sanhao.request"]
    line = _line(record)
    assert line["route"] == "/healthz" and line["view"] == "ops:healthz"
    assert line["method"] == "GET" and line["status"] == 200 and line["account"] is None
    assert isinstance(line["duration_ms"], float) and line["request_id"] == "0123456789abcdef0123"
    assert "x=1" not in json.dumps(line)


def test_it_makes_its_own_request_id_when_the_given_one_is_not_safe(db: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="sanhao.request")
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=CODE)
    assert response["X-Request-ID"] != CODE and len(response["X-Request-ID"]) == 32
    assert CODE not in caplog.text


def test_it_logs_the_account_id_and_never_its_name(world: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="sanhao.request")
    world.client_for(world.office).get(reverse("ops:status"))
    (record,) = [r for r in caplog.records if r.name == "sanhao.request"]
    line = _line(record)
    assert line["account"] == world.office.pk and line["route"] == "/ops/"
    assert "office" not in JsonFormatter().format(record).replace("ops:", "")
