"""manage.py restore refuses a damaged backup before touching anything, and a database
that is not empty without --yes. (A real restore: test_drill.py.)"""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from sanhao.backups.services import list_backups
from sanhao.backups.tests.conftest import current_state, file_hashes
from sanhao.orgs.services import create_district

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def taken(settings):
    create_district("测试区", actor=None)
    default_storage.save("records/a.pdf", ContentFile(b"%PDF-1.4 a"))
    call_command("backup", stdout=io.StringIO())
    [path] = list_backups()
    return path


def alter_file(path):
    (path / "media" / "records" / "a.pdf").write_bytes(b"%PDF-1.4 b")


def alter_dump(path):
    dump = next(p for p in path.iterdir() if p.name.startswith("database."))
    with dump.open("r+b") as out:
        out.seek(200)
        out.write(b"\xff\xfe")


def add_file(path):
    (path / "media" / "records" / "b.pdf").write_bytes(b"%PDF-1.4 planted")


def escape_media(path):
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"][0]["path"] = "../../outside.pdf"
    (path / "manifest.json").write_text(json.dumps(manifest))


def break_manifest(path):
    (path / "manifest.json").write_text('{"format": 1, "vendor"')


@pytest.mark.parametrize(("damage", "says"), [
    (alter_file, "records/a.pdf 已被改动"),
    (alter_dump, "数据库文件"),
    (add_file, "records/b.pdf 不在清单中"),
    (escape_media, "上传文件夹之外"),
    (break_manifest, "清单"),
])  # fmt: skip
def test_it_refuses_a_damaged_backup_before_touching_anything(taken, settings, damage, says):
    before, files = current_state(), file_hashes(settings.MEDIA_ROOT)
    damage(taken)
    with pytest.raises(CommandError, match=says):
        call_command("restore", str(taken), "--yes")
    assert current_state() == before and file_hashes(settings.MEDIA_ROOT) == files


def test_it_refuses_a_database_that_is_not_empty_without_yes(taken):
    before = current_state()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(taken))
    assert current_state() == before
