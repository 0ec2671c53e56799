"""Backups and restores: the database dump, the uploaded files and a manifest.

A backup is a folder `sanhao-YYYYMMDD-HHMMSS` (Asia/Shanghai time) under BACKUP_DIR:

    database.dump | database.sqlite3    pg_dump -Fc, or the SQLite online backup
    media/...                           a copy of every file under MEDIA_ROOT
    manifest.json                       rows per table, each file's size and sha256,
                                        the audit chain head, the database file's sha256

It is written under a temporary name (`.sanhao-….partial`) and renamed when complete, so
a killed backup is never listed, restored or counted by the retention. A restore checks
every hash before it touches anything, and afterwards compares the database with the
manifest and verifies the audit chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.audit import guards
from sanhao.audit.services import ChainReport, chain_head, record, verify_chain
from sanhao.backups import database
from sanhao.backups.models import Backup

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
PARTIAL = ".partial"
PREFIX = "sanhao-"
NAME = re.compile(r"^sanhao-(\d{8}-\d{6})(?:-(\d+))?$")
DUMP_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore could not be done; the message is for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupResult:
    backup: Backup
    manifest: dict[str, Any]
    pruned: list[Path]


@dataclass(frozen=True)
class RestoreReport:
    manifest: dict[str, Any]
    files: int
    differences: list[str]
    chain: ChainReport
    missing_guards: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences and self.chain.ok and not self.missing_guards


def last_backup() -> Backup | None:
    """The newest backup that completed, or None."""
    return Backup.objects.order_by("-finished", "-pk").first()


def _sort_key(path: Path) -> tuple[str, int]:
    match = NAME.match(path.name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


def list_backups(directory: Path | None = None) -> list[Path]:
    """The complete backups in `directory`, oldest first: folders this command named,
    holding a manifest. A temporary (killed or running) backup is not one."""
    directory = Path(directory or settings.BACKUP_DIR)
    if not directory.is_dir():
        return []
    found = [
        path
        for path in directory.iterdir()
        if NAME.match(path.name)
        and path.is_dir()
        and not path.is_symlink()
        and (path / MANIFEST).is_file()
    ]
    return sorted(found, key=_sort_key)


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove the oldest complete backups beyond the newest `keep`; nothing else."""
    if keep < 1:
        raise BackupError(_("BACKUP_KEEP must be at least 1."))
    old = list_backups(directory)[:-keep]
    for path in old:
        try:
            shutil.rmtree(path)
        except OSError as error:
            raise BackupError(
                _("The backup was written, but the old backup %(path)s could not be removed: %(error)s")
                % {"path": path, "error": error}
            ) from None  # fmt: skip
    return old


def _free_name(directory: Path, when: dt.datetime) -> Path:
    stem = PREFIX + timezone.localtime(when).strftime("%Y%m%d-%H%M%S")
    candidate, number = stem, 1
    while (directory / candidate).exists() or (directory / f".{candidate}{PARTIAL}").exists():
        number += 1
        candidate = f"{stem}-{number}"
    return directory / candidate


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file, hashing the bytes written (a file changing meanwhile is described as
    copied)."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reading, target.open("wb") as writing:
        while chunk := reading.read(CHUNK):
            writing.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        writing.flush()
        os.fsync(writing.fileno())
    return size, digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    """The regular files under `root` (symbolic links are not followed), sorted."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _copy_media(root: Path, target: Path) -> list[dict[str, Any]]:
    entries = []
    for path in media_files(root):
        relative = path.relative_to(root).as_posix()
        try:
            size, sha256 = _copy_hashed(path, target / relative)
        except FileNotFoundError:  # removed by the application since it was listed
            continue
        entries.append({"path": relative, "size": size, "sha256": sha256})
    target.mkdir(exist_ok=True)
    return entries


def _app_version() -> str | None:
    try:
        return importlib.metadata.version("sanhao")
    except importlib.metadata.PackageNotFoundError:
        return None


def _write_json(path: Path, value: Any) -> None:
    with path.open("w", encoding="utf-8") as out:
        json.dump(value, out, ensure_ascii=False, indent=2, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())


def _dump(target: Path) -> database.State:
    if connection.vendor == "postgresql":
        return database.dump_postgresql(connection, target)
    if connection.vendor == "sqlite":
        return database.dump_sqlite(connection, target)
    raise BackupError(_("Sanhao backs up PostgreSQL or SQLite, not %(vendor)s.") % {"vendor": connection.vendor})  # fmt: skip


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def create_backup(
    directory: Path | None = None, *, keep: int | None = None, actor: Any = None
) -> BackupResult:
    """Write one backup into `directory` (BACKUP_DIR), record it, then keep only the
    newest `keep` (BACKUP_KEEP). Raises BackupError with a readable message."""
    directory = Path(directory or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot run inside a transaction."))
    started = timezone.now()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        final = _free_name(directory, started)
        temporary = directory / f".{final.name}{PARTIAL}"
        temporary.mkdir()
    except OSError as error:
        raise BackupError(_("The backup folder cannot be written: %(error)s") % {"error": error}) from None  # fmt: skip
    try:
        dump = temporary / DUMP_FILE.get(connection.vendor, "database")
        state = _dump(dump)
        files = _copy_media(Path(settings.MEDIA_ROOT), temporary / MEDIA)
        finished = timezone.now()
        manifest = {
            "format": FORMAT,
            "created": timezone.localtime(started).isoformat(),
            "finished": timezone.localtime(finished).isoformat(),
            "vendor": connection.vendor,
            "app_version": _app_version(),
            "database": {"file": dump.name, "size": dump.stat().st_size, "sha256": _sha256(dump)},
            "tables": state.tables,
            "files": files,
            "audit_head": {"seq": state.head[0], "hash": state.head[1]},
        }
        _write_json(temporary / MANIFEST, manifest)
        size = _folder_size(temporary)
        os.rename(temporary, final)
    except BaseException as error:
        shutil.rmtree(temporary, ignore_errors=True)
        if isinstance(error, database.DatabaseToolError):
            raise BackupError(str(error)) from None
        if isinstance(error, OSError):
            raise BackupError(_("Writing the backup failed: %(error)s") % {"error": error}) from None  # fmt: skip
        raise
    backup = _record_backup(manifest, final, size, started, finished, actor=actor)
    return BackupResult(backup, manifest, prune(directory, keep))


@transaction.atomic
def _record_backup(
    manifest: dict[str, Any],
    path: Path,
    size: int,
    started: dt.datetime,
    finished: dt.datetime,
    *,
    actor: Any,
) -> Backup:
    head = manifest["audit_head"]
    backup = Backup.objects.create(
        started=started, finished=finished, path=str(path), size_bytes=size,
        vendor=manifest["vendor"], rows=sum(manifest["tables"].values()),
        files=len(manifest["files"]), head_seq=head["seq"], head_hash=head["hash"],
    )  # fmt: skip
    record(
        "backups.backup.create",
        actor=actor,
        obj=backup,
        data={
            "path": str(path),
            "size_bytes": size,
            "vendor": backup.vendor,
            "tables": len(manifest["tables"]),
            "rows": backup.rows,
            "files": backup.files,
            "head_seq": backup.head_seq,
        },
    )
    return backup


# Restoring


def _safe_relative(text: Any) -> PurePosixPath | None:
    if not isinstance(text, str) or not text or "\\" in text or "\x00" in text:
        return None
    path = PurePosixPath(text)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the complete backup at `path`, after checking every hash in it.
    Raises BackupError naming what is wrong; nothing has been touched then."""
    path = Path(path)
    if path.name.endswith(PARTIAL) or not path.is_dir():
        raise BackupError(_("%(path)s is not a complete backup folder.") % {"path": path})
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        head = manifest["audit_head"]
        dump = manifest["database"]
        entries = list(manifest["files"])
        tables = dict(manifest["tables"])
        if manifest["format"] != FORMAT or manifest["vendor"] not in DUMP_FILE:
            raise ValueError
        if not isinstance(dump, dict):
            raise ValueError
        if not isinstance(head["seq"], int) or not isinstance(head["hash"], str):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(_("%(path)s has no readable manifest: not a Sanhao backup, or damaged.") % {"path": path}) from None  # fmt: skip
    problems = []
    if dump.get("file") != DUMP_FILE[manifest["vendor"]]:
        problems.append(_("the database file is not named as expected"))
    elif not (path / dump["file"]).is_file() or _sha256(path / dump["file"]) != dump.get("sha256"):
        problems.append(_("the database file %(name)s is missing or altered") % {"name": dump["file"]})  # fmt: skip
    media = path / MEDIA
    listed = set()
    for entry in entries:
        relative = _safe_relative(entry.get("path") if isinstance(entry, dict) else None)
        if relative is None:
            problems.append(_("the manifest names a file outside the uploads folder"))
            continue
        listed.add(relative.as_posix())
        copy = media / relative
        if copy.is_symlink() or not copy.is_file():
            problems.append(_("the file %(path)s is missing") % {"path": relative})
        elif copy.stat().st_size != entry.get("size") or _sha256(copy) != entry.get("sha256"):
            problems.append(_("the file %(path)s is altered") % {"path": relative})
    extra = [p.relative_to(media).as_posix() for p in media_files(media)]
    problems += [_("the file %(path)s is not in the manifest") % {"path": p} for p in extra if p not in listed]  # fmt: skip
    if not all(isinstance(n, int) for n in tables.values()):
        problems.append(_("the manifest's row counts are not numbers"))
    if problems:
        shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        raise BackupError(_("The backup %(path)s is damaged and was not restored: %(problems)s.") % {"path": path, "problems": shown})  # fmt: skip
    return manifest


def _restore_media(source: Path, root: Path, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        target = root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.restoring")
        _copy_hashed(source / entry["path"], temporary)
        os.replace(temporary, target)


def compare(manifest: dict[str, Any]) -> list[str]:
    """How the database differs from the manifest: rows per table and the chain head."""
    differences = []
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
        expected: dict[str, int] = manifest["tables"]
        missing = sorted(set(expected) - set(existing))
        differences += [_("table %(table)s is missing") % {"table": t} for t in missing]
        present = sorted(set(expected) & set(existing))
        counts = database.count_rows(cursor, present, connection.ops.quote_name)
    for table in present:
        if counts[table] != expected[table]:
            differences.append(
                _("table %(table)s holds %(found)s rows, the backup %(expected)s")
                % {"table": table, "found": counts[table], "expected": expected[table]}
            )
    head = manifest["audit_head"]
    if chain_head() != (head["seq"], head["hash"]):
        seq, hash_ = chain_head()
        differences.append(
            _("the audit chain head is #%(seq)s %(hash)s, the backup's #%(expected_seq)s %(expected_hash)s")
            % {"seq": seq, "hash": hash_[:16], "expected_seq": head["seq"], "expected_hash": head["hash"][:16]}
        )  # fmt: skip
    return differences


def restore_backup(path: Path, *, overwrite: bool = False) -> RestoreReport:
    """Restore the backup at `path` into the configured database and MEDIA_ROOT, then
    compare the result with the manifest and verify the audit chain.

    Writes nothing of its own into the restored database (no audit entry, no Backup row):
    it must equal the backup. Refuses a damaged backup before touching anything, and a
    database or uploads folder that holds something unless `overwrite`."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            _("The backup is of a %(backup)s database; the settings point at %(current)s.")
            % {"backup": manifest["vendor"], "current": connection.vendor}
        )
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a transaction."))
    root = Path(settings.MEDIA_ROOT)
    tables = connection.introspection.table_names()
    if (tables or media_files(root)) and not overwrite:
        raise BackupError(
            _(
                "The database (%(tables)s tables) or the uploads folder %(root)s is not "
                "empty: restoring replaces what it holds. Run again with --yes to do so."
            )
            % {"tables": len(tables), "root": root}
        )
    settings_dict = connection.settings_dict
    connection.close()
    source = path / manifest["database"]["file"]
    try:
        if connection.vendor == "postgresql":
            database.restore_postgresql(settings_dict, source)
        else:
            database.restore_sqlite(settings_dict, source)
        _restore_media(path / MEDIA, root, manifest["files"])
    except database.DatabaseToolError as error:
        raise BackupError(str(error)) from None
    except OSError as error:
        raise BackupError(_("Restoring failed: %(error)s") % {"error": error}) from None
    differences = compare(manifest)
    missing = sorted(guards.expected(connection) - guards.installed(connection))
    return RestoreReport(manifest, len(manifest["files"]), differences, verify_chain(), missing)
