"""Dumping and restoring the database itself, one pair of functions per vendor.

PostgreSQL goes through `pg_dump -Fc` and `pg_restore`, with the password in the
environment (PGPASSWORD), never on a command line or in what is printed. SQLite goes
through Python's online backup API, which copies a consistent state while the
application writes. Each dump returns the row counts and the audit chain head of the
very state it holds, so the manifest describes the dump and nothing later.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from sanhao.audit.models import GENESIS_HASH, AuditHead

# Connection options of settings.DATABASES that libpq also reads from the environment.
PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
HIDDEN = "******"


class DatabaseToolError(Exception):
    """A dump or restore failed; the message is safe to print (no password)."""


@dataclass(frozen=True)
class State:
    """What a dump holds: rows per table and the audit chain head."""

    tables: dict[str, int]
    head: tuple[int, str]


def model_tables(existing: list[str]) -> list[str]:
    """The tables of the Django models (many-to-many tables included) that exist."""
    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return sorted(names & set(existing))


def count_rows(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def read_head(cursor: Any) -> tuple[int, str]:
    cursor.execute(f"SELECT seq, hash FROM {AuditHead._meta.db_table} WHERE id = 1")
    row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# SQLite


def dump_sqlite(connection: Any, target: Path) -> State:
    """Copy the live database with the online backup API in one step (a single read
    transaction: a consistent state, writers in WAL mode are not blocked)."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # The copy is one self-contained file: no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = model_tables([row[0] for row in cursor.fetchall()])
        return State(count_rows(cursor, tables, _sqlite_quote), read_head(cursor))
    finally:
        copy.close()


def restore_sqlite(settings_dict: dict[str, Any], source: Path) -> None:
    """Write the backed-up file over the database file, page by page, with the backup API."""
    name = str(settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise DatabaseToolError(_("An in-memory SQLite database cannot be restored into."))
    backed_up = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        database = sqlite3.connect(name)
        try:
            backed_up.backup(database)
            database.execute("PRAGMA journal_mode=WAL")
        finally:
            database.close()
    finally:
        backed_up.close()


# PostgreSQL


def pg_client(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection arguments of pg_dump/pg_restore and their environment. The password
    goes into the environment only: a command line is visible to every user of the host."""
    args = ["--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in PG_OPTION_ENV.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value is not None:
            env[variable] = str(value)
    return args, env


def hide_password(text: str, settings_dict: dict[str, Any]) -> str:
    password = str(settings_dict.get("PASSWORD") or "")
    return text.replace(password, HIDDEN) if password else text


def _run(program: str, args: list[str], settings_dict: dict[str, Any]) -> None:
    connect, env = pg_client(settings_dict)
    try:
        done = subprocess.run(
            [program, *connect, *args], env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DatabaseToolError(
            _(
                "%(program)s was not found: install the PostgreSQL client tools (the "
                "server's major version or newer) and put them on PATH."
            )
            % {"program": program}
        ) from None
    if done.returncode != 0:
        message = hide_password((done.stderr or done.stdout or "").strip(), settings_dict)
        raise DatabaseToolError(
            _("%(program)s failed (exit code %(code)s): %(message)s")
            % {"program": program, "code": done.returncode, "message": message[-2000:]}
        )


def dump_postgresql(connection: Any, target: Path) -> State:
    """pg_dump -Fc of a snapshot exported by this connection: the counts and the head read
    in the same snapshot are exactly those of the dump."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = model_tables(connection.introspection.table_names(cursor))
        state = State(count_rows(cursor, tables, connection.ops.quote_name), read_head(cursor))
        settings_dict = connection.settings_dict
        _run(
            "pg_dump",
            ["--format=custom", f"--snapshot={snapshot}", "--file", str(target),
             "--dbname", str(settings_dict["NAME"])],
            settings_dict,
        )  # fmt: skip
    return state


def restore_postgresql(settings_dict: dict[str, Any], source: Path) -> None:
    """pg_restore in one transaction: all or nothing. --clean --if-exists drops what the
    dump recreates (an empty database has nothing to drop); the audit triggers come back
    from the dump after its rows, so they do not refuse the restore's own inserts."""
    _run(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction",
         "--dbname", str(settings_dict["NAME"]), str(source)],
        settings_dict,
    )  # fmt: skip
