import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from sanhao.audit.services import chain_head
from sanhao.backups import database
from sanhao.records.services import attach_file
from sanhao.records.tests.helpers import add

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.MEDIA_ROOT


@pytest.fixture
def records(world):
    """The world, a process record and an uploaded attachment: rows, audit entries, a file."""
    rec = add(world)
    attach_file(rec, SimpleUploadedFile("会议纪要.pdf", PDF), actor=world.liaison_a)
    return world


def current_state() -> database.State:
    with connection.cursor() as cursor:
        tables = database.model_tables(connection.introspection.table_names(cursor))
        return database.State(
            database.count_rows(cursor, tables, connection.ops.quote_name), chain_head()
        )


def file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
