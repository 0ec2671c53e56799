"""The checks behind /healthz and the office's status page: a registry of functions.

A check is a function of no argument returning a dict with at least `ok` (a bool); what
else it returns is shown publicly at /healthz, so it must hold no secret, no version and
no host name: counts and durations only. A check that raises counts as failed and shows
only the exception's class. Register one with `@check("name")` in any module imported at
start-up (an app's `ready()`); the job queue's check is plugged in that way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection

Check = Callable[[], dict[str, Any]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


def run_checks(checks: dict[str, Check] | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Every check's result (with its duration `ms`), and whether all of them passed."""
    results: dict[str, dict[str, Any]] = {}
    for name, function in (CHECKS if checks is None else checks).items():
        started = time.perf_counter()
        try:
            result = dict(function())
            result["ok"] = bool(result.get("ok"))
        except Exception as error:
            result = {"ok": False, "error": type(error).__name__}
        result.setdefault("ms", round((time.perf_counter() - started) * 1000, 1))
        results[name] = result
    return all(r["ok"] for r in results.values()), results


@check("database")
def database() -> dict[str, Any]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return {
        "ok": row is not None and row[0] == 1,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


@check("audit_guards")
def audit_guards() -> dict[str, Any]:
    """The triggers that keep the audit log append-only (sanhao/audit/guards.py)."""
    from sanhao.audit import guards

    missing = guards.expected(connection) - guards.installed(connection)
    return {"ok": not missing, "missing": len(missing)}
