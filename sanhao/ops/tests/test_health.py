"""/healthz: public, no cookie, never cached, 200 or 503, no secret and no version."""

from __future__ import annotations

import json
from typing import Any

import django
from django.test import Client

from sanhao.ops import health


def test_it_answers_ok_with_each_check(db: Any) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True and body["checks"]["database"]["ms"] >= 0
    assert body["checks"]["audit_guards"] == {
        "ok": True,
        "missing": 0,
        "ms": body["checks"]["audit_guards"]["ms"],
    }
    assert not response.cookies and "no-store" in response["Cache-Control"]
    assert django.get_version() not in response.content.decode()
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


def test_it_answers_503_when_a_check_fails_and_shows_only_the_errors_class(
    db: Any, monkeypatch: Any
) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("password=hunter2 at db.internal:5432")

    monkeypatch.setitem(health.CHECKS, "queue", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "fail" and body["checks"]["database"]["ok"] is True
    assert (
        body["checks"]["queue"]["ok"] is False
        and body["checks"]["queue"]["error"] == "RuntimeError"
    )
    assert (
        "hunter2" not in response.content.decode() and "internal" not in response.content.decode()
    )


def test_a_check_plugs_in_through_the_registry(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(health, "CHECKS", dict(health.CHECKS))
    health.check("queue")(lambda: {"ok": True, "waiting": 0})
    ok, results = health.run_checks()
    assert ok and results["queue"]["waiting"] == 0 and "ms" in results["queue"]


def test_it_fails_when_the_audit_guards_are_gone(db: Any, monkeypatch: Any) -> None:
    from sanhao.audit import guards

    monkeypatch.setattr(guards, "installed", lambda connection: set())
    response = Client().get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503 and body["checks"]["audit_guards"]["ok"] is False
    assert body["checks"]["audit_guards"]["missing"] == len(guards.expected(django.db.connection))


def test_a_probe_over_plain_http_is_not_sent_to_https(db: Any, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/vote/").status_code == 301
