"""The restore drill: back up, restore into a fresh database in another process, and find
the same rows, the same files, the same audit chain head and a chain that verifies."""

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from sanhao.backups import database
from sanhao.backups.services import list_backups
from sanhao.backups.tests.conftest import current_state, file_hashes

ROOT = Path(__file__).resolve().parents[3]


def manage(*args: str, url: str, media: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url, MEDIA_ROOT=str(media), DEBUG="1",
               AUDIT_KEY=settings.AUDIT_KEY, SECRET_KEY=settings.SECRET_KEY)  # fmt: skip
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


class FreshDatabase:
    """An empty database of the same vendor as the test database: its URL and its state."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
            return
        given = connection.settings_dict
        self.name = f"{given['NAME']}_drill"
        self.params = {"host": given["HOST"], "port": given["PORT"] or 5432,
                       "user": given["USER"], "password": given["PASSWORD"] or None}  # fmt: skip
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._admin(f'CREATE DATABASE "{self.name}"')
        password = f":{given['PASSWORD']}" if given["PASSWORD"] else ""
        self.url = f"postgres://{given['USER']}{password}@{given['HOST']}:{self.params['port']}/{self.name}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as admin:
            admin.execute(sql)

    def state(self, tables: list[str]) -> database.State:
        """The rows per table and the chain head of the restored database, read directly."""
        opened = (
            sqlite3.connect(self.path)
            if self.vendor == "sqlite"
            else psycopg.connect(dbname=self.name, **self.params)
        )
        try:
            cursor = opened.cursor()
            counts = database.count_rows(cursor, tables, lambda t: f'"{t}"')
            return database.State(counts, database.read_head(cursor))
        finally:
            opened.close()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def fresh(tmp_path):
    target = FreshDatabase(tmp_path)
    yield target
    target.drop()


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_into_a_fresh_database_equal_to_the_original(
    records, settings, tmp_path, fresh
):
    before, files = current_state(), file_hashes(settings.MEDIA_ROOT)
    assert before.head[0] > 10 and before.tables["records_recordattachment"] == 1
    assert len(files) == 1
    call_command("backup", stdout=io.StringIO())
    [path] = list_backups()

    restored_media = tmp_path / "restored-media"
    done = manage("restore", str(path), url=fresh.url, media=restored_media)
    assert done.returncode == 0, done.stderr
    assert "操作日志完好" in done.stdout

    assert fresh.state(sorted(before.tables)) == before
    assert file_hashes(restored_media) == files
    check = manage("verify_audit", url=fresh.url, media=restored_media)
    assert check.returncode == 0, check.stderr
    assert str(before.head[0]) in check.stdout

    # Again over the restored database, which is not empty now: --clean, audit triggers and all.
    again = manage("restore", str(path), "--yes", url=fresh.url, media=restored_media)
    assert again.returncode == 0, again.stderr
    assert fresh.state(sorted(before.tables)) == before
