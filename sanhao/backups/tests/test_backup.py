"""manage.py backup: a complete folder with its manifest, a row and an audit entry; the
retention; a killed or failed backup leaves nothing that looks complete."""

import errno
import io
import json
import os
import stat

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from sanhao.audit.models import AuditEntry
from sanhao.audit.services import chain_head
from sanhao.backups import database, services
from sanhao.backups.models import Backup
from sanhao.backups.services import NAME, last_backup, list_backups
from sanhao.orgs.services import create_district

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL only"
)


def backup(**options) -> str:
    out = io.StringIO()
    call_command("backup", stdout=out, stderr=out, **options)
    return out.getvalue()


def test_it_writes_a_complete_backup_and_records_it_afterwards(settings):
    create_district("测试区", actor=None)
    default_storage.save("records/2026/纪要.pdf", ContentFile(b"%PDF-1.4 minutes"))
    head = chain_head()
    assert last_backup() is None

    output = backup()

    [path] = list_backups()
    assert NAME.match(path.name) and path.parent == settings.BACKUP_DIR
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["audit_head"] == {"seq": head[0], "hash": head[1]}
    assert manifest["tables"]["orgs_district"] == 1
    assert manifest["tables"]["backups_backup"] == 0  # the dump does not hold its own row
    assert manifest["created"].endswith("+08:00")
    [entry] = manifest["files"]
    assert (entry["path"], entry["size"]) == ("records/2026/纪要.pdf", 16)
    assert (path / "media" / "records/2026/纪要.pdf").read_bytes() == b"%PDF-1.4 minutes"

    row = last_backup()
    assert row is not None and row.path == str(path) and row.head_seq == head[0]
    assert row.size_bytes == sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    audit = AuditEntry.objects.order_by("-seq").first()
    assert audit.action == "backups.backup.create" and audit.data["files"] == 1
    assert audit.data["head_seq"] == head[0] and str(path) in output


def test_it_keeps_only_the_newest_backups_it_made(settings):
    settings.BACKUP_KEEP = 2
    directory = settings.BACKUP_DIR
    (directory / "notes").mkdir(parents=True)
    killed = directory / ".sanhao-20260101-020000.partial"
    killed.mkdir()
    made = []
    for _ in range(3):
        backup()
        made.append(Backup.objects.order_by("-pk").first().path)
    assert [str(p) for p in list_backups()] == made[1:]
    assert not os.path.exists(made[0])
    assert (directory / "notes").is_dir() and killed.is_dir()
    assert Backup.objects.count() == 3  # the history stays


def test_it_never_lists_or_restores_a_backup_killed_midway(settings, monkeypatch):
    backup()
    [complete] = list_backups()
    killed = complete.with_name(f".{complete.name}.partial")
    complete.rename(killed)  # as a backup killed just before its rename looks
    assert list_backups() == []
    with pytest.raises(CommandError, match="不是完整的备份"):
        call_command("restore", str(killed), "--yes")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "_copy_media", interrupted)
    with pytest.raises(KeyboardInterrupt):
        backup()
    assert sorted(p.name for p in settings.BACKUP_DIR.iterdir()) == [killed.name]
    assert Backup.objects.count() == 1


def test_it_fails_with_a_clear_message_when_the_disk_is_full(settings, monkeypatch):
    def full(connection, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(database, f"dump_{connection.vendor}", full)
    with pytest.raises(CommandError, match=r"备份失败.*No space left on device"):
        backup()
    assert list(settings.BACKUP_DIR.iterdir()) == [] and last_backup() is None


@on_postgresql
def test_it_fails_with_a_clear_message_without_pg_dump(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(CommandError, match="pg_dump"):
        backup()
    assert list(settings.BACKUP_DIR.iterdir()) == [] and last_backup() is None


PASSWORD = "pw-Zq8-never-shown"


def test_it_passes_the_password_in_the_environment_only(tmp_path, monkeypatch):
    given = {"NAME": "sanhao", "HOST": "db.example", "PORT": "5432", "USER": "sanhao",
             "PASSWORD": PASSWORD, "OPTIONS": {"sslmode": "require"}}  # fmt: skip
    args, env = database.pg_client(given)
    assert PASSWORD not in " ".join(args) and "--no-password" in args
    assert env["PGPASSWORD"] == PASSWORD and env["PGSSLMODE"] == "require"
    # A pg_dump that fails and repeats what it was given: the password is hidden.
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\necho "connection to $* failed for password $PGPASSWORD" >&2\nexit 1\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(database.DatabaseToolError) as failed:
        database._run("pg_dump", ["--dbname", "sanhao"], given)
    assert PASSWORD not in str(failed.value) and database.HIDDEN in str(failed.value)


@on_postgresql
def test_it_shows_the_password_nowhere_in_a_postgresql_backup(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", PASSWORD)
    seen = []
    run = database.subprocess.run

    def spy(args, **kwargs):
        seen.append(args)
        assert kwargs["env"]["PGPASSWORD"] == PASSWORD
        return run(args, **kwargs)

    monkeypatch.setattr(database.subprocess, "run", spy)
    output = backup(verbosity=3)
    assert seen and all(PASSWORD not in " ".join(args) for args in seen)
    assert PASSWORD not in output
    assert PASSWORD not in json.dumps(AuditEntry.objects.order_by("-seq").first().data)


def test_it_says_so_when_an_old_backup_cannot_be_removed(settings, monkeypatch):
    settings.BACKUP_KEEP = 1
    backup()

    def refused(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(services.shutil, "rmtree", refused)
    with pytest.raises(CommandError, match=r"备份已写入，但旧备份 .* 无法删除"):
        backup()
    assert len(list_backups()) == 2 and Backup.objects.count() == 2
