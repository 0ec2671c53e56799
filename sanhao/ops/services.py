"""What the office's status page shows, and the audit check it can run.

`verify_audit_log` is the one write: it walks the chain (as `manage.py verify_audit`
does) and records that it did, with the result. The walk is not inside the entry's
transaction: on SQLite a transaction holds the write lock from its start (IMMEDIATE),
and a long walk must not hold up the voters' pages; `record` is atomic on its own.
"""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db import connection

from sanhao.accounts.roles import require_office_actor
from sanhao.audit import guards
from sanhao.audit.services import ChainReport, record, verify_chain


@dataclass(frozen=True)
class TableRow:
    label: str
    name: str
    table: str
    rows: int
    size: int | None  # bytes, on PostgreSQL


@dataclass(frozen=True)
class AuditCheck:
    report: ChainReport
    guards_missing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.guards_missing


def verify_audit_log(*, actor: Any) -> AuditCheck:
    """Check the whole chain and the database's guards; the result is an audit entry."""
    require_office_actor(actor)
    report = verify_chain()
    missing = tuple(sorted(guards.expected(connection) - guards.installed(connection)))
    result = AuditCheck(report, missing)
    record(
        "ops.audit.verified",
        actor=actor,
        data={
            "ok": result.ok,
            "checked": report.checked,
            "first_bad_seq": report.first_bad_seq,
            "problem": report.problem,
            "guards_missing": list(missing),
        },
    )
    return result


def table_rows() -> list[TableRow]:
    """Every table of the platform's own models with its number of rows (and its size on
    disk, indexes included, on PostgreSQL): one count per table, a few dozen in all."""
    models = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("sanhao.")
        for model in config.get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    tables = [model._meta.db_table for model in models]
    sizes: dict[str, int] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "WHERE c.relname = ANY(%s) AND c.relkind = 'r' "
                "AND pg_table_is_visible(c.oid)",
                [tables],
            )
            sizes = {name: int(size) for name, size in cursor.fetchall()}
    rows = [
        TableRow(
            label=model._meta.label,
            name=str(model._meta.verbose_name_plural),
            table=model._meta.db_table,
            rows=model._default_manager.count(),
            size=sizes.get(model._meta.db_table),
        )
        for model in models
    ]
    return sorted(rows, key=lambda row: row.label)


def database_size() -> int | None:
    """The whole database's size in bytes (PostgreSQL; SQLite: its main file)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        else:
            return None
        row = cursor.fetchone()
    return int(row[0]) if row else None


@lru_cache(maxsize=1)
def git_commit() -> str:
    """The deployed commit: GIT_COMMIT from the environment, else the checkout's HEAD."""
    given = str(getattr(settings, "GIT_COMMIT", "")).strip()
    if given:
        return given[:40]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    out = done.stdout.strip()
    return out if done.returncode == 0 and len(out) == 40 else ""


def versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "commit": git_commit(),
    }
