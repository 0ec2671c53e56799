"""The chain cannot be rewritten: it is keyed, the database refuses changes, and every
raw change an intruder makes with the guards dropped is found (issue 6, item 2)."""

import hashlib
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, OperationalError, connection, transaction
from django.test import override_settings

from sanhao.audit import guards
from sanhao.audit.models import AuditEntry, AuditHead
from sanhao.audit.services import chain_head, record, verify_chain


def _execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _plain_sha256(e: AuditEntry, prev_hash: str) -> str:
    """The hash an intruder can compute: the payload of the chain, without the key."""
    payload = json.dumps(
        [e.seq, e.created.isoformat(), e.actor_id, e.actor_name, e.action, e.object_type,
         e.object_id, e.object_repr, e.data, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()


def _rechain_from(seq: int, hasher) -> None:
    """Recompute every hash and link from `seq` on and move the head, as the intruder would."""
    entries = list(AuditEntry.objects.order_by("seq"))
    prev = next((e.hash for e in entries if e.seq == seq - 1), "0" * 64)
    for entry in entries:
        if entry.seq < seq:
            continue
        entry.prev_hash = prev
        new_hash = hasher(entry, prev)
        _execute(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, new_hash, entry.pk],
        )
        prev = new_hash
    _execute("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev])


def test_it_finds_entry_10_changed_and_the_chain_recomputed_with_plain_sha256(world):
    assert AuditEntry.objects.count() >= 12
    guards.remove(connection)
    _execute("UPDATE audit_auditentry SET object_repr = %s WHERE seq = 10", ["伪造"])
    _rechain_from(10, _plain_sha256)
    report = verify_chain()
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 10, "altered")
    with pytest.raises(CommandError, match="第 10 条被篡改"):
        call_command("verify_audit")


def test_it_finds_a_chain_recomputed_with_a_guessed_key(world):
    import hmac

    guards.remove(connection)
    _execute("UPDATE audit_auditentry SET actor_name = %s WHERE seq = 10", ["someone"])

    def guessed(entry, prev):
        good = _plain_sha256(entry, prev)  # same payload, keyed with the wrong key
        return hmac.new(b"dev-only-insecure-key-change-me", good.encode(), "sha256").hexdigest()

    _rechain_from(10, guessed)
    assert verify_chain().first_bad_seq == 10


def test_it_needs_the_key_to_verify(world):
    with override_settings(AUDIT_KEY="another-key"):
        assert verify_chain().first_bad_seq == 1
    assert verify_chain().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET object_repr = 'x'",
        "DELETE FROM audit_auditentry",
        "DELETE FROM audit_auditentry WHERE seq = (SELECT MAX(seq) FROM audit_auditentry)",
        "UPDATE audit_audithead SET seq = seq - 1",
        "UPDATE audit_audithead SET hash = 'f'",
        "UPDATE audit_audithead SET seq = seq + 1",
        "DELETE FROM audit_audithead",
        "INSERT INTO audit_audithead (id, seq, hash) VALUES (2, 0, 'x')",
    ],
)
def test_the_database_refuses_raw_changes(world, sql):
    before = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))
    with pytest.raises(DatabaseError, match="audit_append_only"), transaction.atomic():
        _execute(sql)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")) == before
    assert verify_chain().ok


def test_the_database_refuses_truncate_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DatabaseError, match="audit_append_only"), transaction.atomic():
        _execute("SET CONSTRAINTS ALL IMMEDIATE")
        _execute("TRUNCATE audit_auditentry CASCADE")


def test_the_guards_are_there_after_migrate_and_come_back_if_lost(db):
    assert guards.installed(connection) == guards.expected(connection)
    guards.remove(connection)
    assert guards.installed(connection) == set()
    call_command("migrate", verbosity=0)  # post_migrate reinstalls them
    assert guards.installed(connection) == guards.expected(connection)


def test_the_head_still_advances_through_the_application(world):
    seq, _hash = chain_head()
    entry = record("test.thing.happen", actor=world.office, data={"n": 1})
    assert chain_head() == (seq + 1, entry.hash) == (AuditHead.objects.get().seq, entry.hash)


def test_it_finds_the_newest_entries_removed_and_the_head_set_back_against_a_written_head(world):
    written = chain_head()  # the office writes this down at a phase change
    guards.remove(connection)
    older = AuditEntry.objects.get(seq=written[0] - 2)
    _execute("DELETE FROM audit_auditentry WHERE seq > %s", [older.seq])
    _execute("UPDATE audit_audithead SET seq = %s, hash = %s", [older.seq, older.hash])
    assert verify_chain().ok  # a genuine older state: only the written-down head tells
    report = verify_chain(expect=(written[0], written[1][:16]))
    assert (report.ok, report.first_bad_seq) == (False, older.seq + 1)
    with pytest.raises(CommandError, match="条缺失"):
        call_command("verify_audit", head=f"{written[0]}:{written[1][:16]}")


def test_verify_audit_accepts_the_written_head_when_intact(world, capsys):
    seq, hash_ = chain_head()
    call_command("verify_audit", head=f"{seq}:{hash_[:16]}")
    assert "操作日志完好" in capsys.readouterr().out
    with pytest.raises(CommandError, match="序号:哈希"):
        call_command("verify_audit", head="12")
    with pytest.raises(CommandError, match=f"第 {seq} 条"):
        call_command("verify_audit", head=f"{seq}:{'0' * 16}")


FIELDS = ["actor_name", "action", "object_type", "object_id", "object_repr", "data",
          "created", "prev_hash", "hash", "seq", "actor_id"]  # fmt: skip


def _flip(hex_text: str, rng: random.Random) -> str:
    i = rng.randrange(len(hex_text))
    return hex_text[:i] + ("0" if hex_text[i] != "0" else "1") + hex_text[i + 1 :]


def _mutate(rng: random.Random, entries: list[AuditEntry], users: list[int]) -> str:
    """One raw change of the table; returns what it did, for the failure message."""
    victim = rng.choice(entries)
    kind = rng.choice([*FIELDS, "delete", "delete+rechain", "rechain", "truncate+head"])
    if kind == "delete":
        _execute("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    elif kind == "delete+rechain":
        _execute("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
        _execute("UPDATE audit_auditentry SET seq = seq - 1 WHERE seq > %s", [victim.seq])
        _execute("UPDATE audit_audithead SET seq = seq - 1")
        _rechain_from(victim.seq, _plain_sha256)
    elif kind == "rechain":
        _execute("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["x.y.z", victim.pk])
        _rechain_from(victim.seq, _plain_sha256)
    elif kind == "truncate+head":
        keep = rng.randrange(0, len(entries) - 1)
        _execute("DELETE FROM audit_auditentry WHERE seq > %s", [keep])
        last = next((e.hash for e in entries if e.seq == keep), "0" * 64)
        _execute("UPDATE audit_audithead SET seq = %s, hash = %s", [keep, last])
    elif kind == "data":
        value = json.dumps({"tampered": rng.randrange(10**6)})
        _execute("UPDATE audit_auditentry SET data = %s WHERE id = %s", [value, victim.pk])
    elif kind == "created":
        import datetime as dt

        moved = victim.created + dt.timedelta(microseconds=rng.randrange(1, 10**9))
        _execute("UPDATE audit_auditentry SET created = %s WHERE id = %s", [moved, victim.pk])
    elif kind in ("prev_hash", "hash"):
        value = _flip(getattr(victim, kind), rng)
        _execute(f"UPDATE audit_auditentry SET {kind} = %s WHERE id = %s", [value, victim.pk])
    elif kind == "seq":
        _execute("UPDATE audit_auditentry SET seq = seq + 1000 WHERE id = %s", [victim.pk])
    elif kind == "actor_id":
        other = rng.choice([u for u in [*users, None] if u != victim.actor_id])
        _execute("UPDATE audit_auditentry SET actor_id = %s WHERE id = %s", [other, victim.pk])
    else:
        value = getattr(victim, kind) + rng.choice(["x", "甲", " "])
        _execute(f"UPDATE audit_auditentry SET {kind} = %s WHERE id = %s", [value, victim.pk])
    return f"{kind} of #{victim.seq}"


def test_it_finds_each_of_1000_random_raw_mutations(world):
    from sanhao.accounts.models import User

    entries = list(AuditEntry.objects.order_by("seq"))
    users = list(User.objects.values_list("pk", flat=True))
    written = chain_head()
    expect = (written[0], written[1][:16])
    assert verify_chain(expect=expect).ok
    rng = random.Random(20261201)
    guards.remove(connection)
    missed = []
    for _ in range(1000):
        with transaction.atomic():
            what = _mutate(rng, entries, users)
            if verify_chain(expect=expect).ok:
                missed.append(what)
            transaction.set_rollback(True)
    assert missed == []
    assert verify_chain(expect=expect).ok  # every mutation was rolled back


def _entry_columns() -> str:
    return ("seq, created, actor_id, actor_name, action, object_type, object_id, object_repr, "
            "data, prev_hash, hash")  # fmt: skip


def test_the_database_refuses_an_entry_that_does_not_follow_the_head(world):
    seq, head = chain_head()
    columns = _entry_columns()
    copy = f"SELECT {columns.replace('seq,', '%s,', 1).replace('prev_hash', '%s')} FROM audit_auditentry WHERE seq = 1"
    for new_seq, prev in [(seq + 1, "f" * 64), (seq + 2, head), (seq, head)]:
        with pytest.raises(DatabaseError, match="audit_append_only"), transaction.atomic():
            _execute(f"INSERT INTO audit_auditentry ({columns}) {copy}", [new_seq, prev])
    assert verify_chain().ok


def test_sqlite_refuses_to_replace_an_entry_in_place(world):
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    columns = _entry_columns()
    with pytest.raises(DatabaseError, match="audit_append_only"), transaction.atomic():
        _execute(
            f"INSERT OR REPLACE INTO audit_auditentry (id, {columns}) "
            f"SELECT id, {columns.replace('data,', '%s,')} FROM audit_auditentry WHERE seq = 10",
            ['{"name": "伪造镇"}'],
        )
    assert verify_chain().ok


def test_it_finds_a_key_written_twice_in_the_stored_json(world):
    """Python reads the last value of a doubled key, SQLite's JSON functions the first:
    the stored text must hold each key once."""
    victim = AuditEntry.objects.filter(action="orgs.unit.create").order_by("seq").first()
    original = json.dumps(victim.data, ensure_ascii=False)
    forged = '{"name": "伪造镇", ' + original[1:]
    guards.remove(connection)
    _execute("UPDATE audit_auditentry SET data = %s WHERE id = %s", [forged, victim.pk])
    if connection.vendor == "sqlite":
        report = verify_chain()
        assert (report.ok, report.first_bad_seq) == (False, victim.seq)
    else:  # jsonb keeps one value per key: the change is an ordinary alteration
        assert verify_chain().first_bad_seq in (None, victim.seq)


def test_a_disabled_trigger_counts_as_missing(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot disable a trigger")
    _execute("SET CONSTRAINTS ALL IMMEDIATE")
    _execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    assert "audit_entry_append_only" not in guards.installed(connection)


def test_verify_audit_reports_guards_that_are_gone(world):
    guards.remove(connection)
    with pytest.raises(CommandError, match="数据库已不再保护"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_flush_tries_again_while_another_connection_holds_a_lock(monkeypatch):
    from sanhao.audit.management.commands import flush

    calls = []
    real = guards.remove

    def locked_once(conn):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database table is locked: sqlite_master")
        real(conn)

    monkeypatch.setattr(flush.guards, "remove", locked_once)
    monkeypatch.setattr(flush, "PAUSE", 0)
    record("test.thing.happen", actor=None, data={"n": 1})
    call_command("flush", interactive=False, verbosity=0)
    assert len(calls) == 2 and not AuditEntry.objects.exists()
    assert guards.installed(connection) == guards.expected(connection)
