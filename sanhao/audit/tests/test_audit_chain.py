import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sanhao.audit import guards
from sanhao.audit.models import AppendOnlyError, AuditEntry
from sanhao.audit.services import record, verify_chain


def _raw(sql: str, params: list[str | int]) -> None:
    """Change the table behind the application's back, as an intruder with SQL would.

    The intruder has the owner's rights: the database's guards are dropped first.
    """
    guards.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_chains_every_service_write(world):
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(entries))
    assert {"orgs.unit.create", "orgs.person.create", "orgs.post.start"} <= {
        e.action for e in entries
    }
    office_entry = AuditEntry.objects.filter(action="orgs.unit.create").first()
    assert office_entry.actor == world.office
    assert verify_chain().ok


def test_it_passes_verify_audit_when_intact(world, capsys):
    call_command("verify_audit")
    assert "操作日志完好" in capsys.readouterr().out


def test_it_finds_an_entry_altered_behind_the_applications_back(world):
    victim = AuditEntry.objects.get(action="orgs.unit.create", object_repr="乙街道")
    _raw("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["丙镇", victim.pk])
    with pytest.raises(CommandError, match=rf"第 {victim.seq} 条被篡改"):
        call_command("verify_audit")
    report = verify_chain()
    assert (report.ok, report.first_bad_seq, report.problem) == (False, victim.seq, "altered")


def test_it_finds_altered_data(world):
    victim = AuditEntry.objects.filter(action="orgs.post.start").first()
    _raw("UPDATE audit_auditentry SET data = %s WHERE id = %s", ['{"title": "x"}', victim.pk])
    assert verify_chain().first_bad_seq == victim.seq


def test_it_finds_an_entry_removed_from_the_middle(world):
    victim = AuditEntry.objects.order_by("seq")[3]
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    report = verify_chain()
    assert (report.ok, report.first_bad_seq, report.problem) == (False, victim.seq, "missing")


def test_it_finds_the_newest_entry_removed(world):
    newest = AuditEntry.objects.order_by("-seq").first()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [newest.pk])
    report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, newest.seq)


def test_it_finds_a_rewritten_chain_link(world):
    victim = AuditEntry.objects.order_by("seq")[2]
    _raw("UPDATE audit_auditentry SET prev_hash = %s WHERE id = %s", ["f" * 64, victim.pk])
    assert verify_chain().problem == "broken link"


def test_it_refuses_to_change_or_delete_an_entry_through_the_orm(world):
    entry = AuditEntry.objects.first()
    entry.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_it_records_the_system_when_no_one_acted(db):
    entry = record("test.thing.happen", actor=None, data={"n": 1})
    assert (entry.actor, entry.actor_name, entry.data) == (None, "system", {"n": 1})
    assert verify_chain().ok


def test_it_reports_in_chinese_from_a_fresh_process(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
    done = subprocess.run([sys.executable, "manage.py", "verify_audit"], cwd=root, env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert "操作日志完好：已校验 0 条。" in done.stdout
