"""The database itself refuses to change or remove audit entries.

The application never updates or deletes an entry (the model refuses too), so the
database is told to refuse it as well: a PostgreSQL trigger function or SQLite
triggers abort any UPDATE, DELETE or TRUNCATE of `audit_auditentry`, accept a new
entry only right after the chain head (never in place of a row: SQLite's INSERT OR
REPLACE), and let the chain head move only one step forward, onto an entry that
exists with that hash.

Someone with the database owner's rights can still drop the triggers; the keyed
hash chain (`services.entry_hash`) is what then reveals a change. The guards are
installed by migration `audit/0003` and again after every `migrate` (post_migrate),
so a later migration that rebuilds a table on SQLite cannot lose them; `flush`
lifts them for its own statement only (see `management/commands/flush.py`).
"""

from __future__ import annotations

from typing import Any

REFUSED = "audit_append_only"

PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION audit_head_advance_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.seq = 0 AND NOT EXISTS (SELECT 1 FROM audit_audithead) THEN
                RETURN NEW;
            END IF;
        ELSIF NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
            SELECT 1 FROM audit_auditentry e WHERE e.seq = NEW.seq AND e.hash = NEW.hash
        ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSED}: % on audit_audithead refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION audit_entry_insert_next() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM audit_audithead h
            WHERE h.id = 1 AND h.seq = NEW.seq - 1 AND h.hash = NEW.prev_hash
        ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSED}: an entry must follow the chain head'
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    "DROP TRIGGER IF EXISTS audit_entry_insert_next ON audit_auditentry",
    """CREATE TRIGGER audit_entry_insert_next BEFORE INSERT ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_insert_next()""",
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    "DROP TRIGGER IF EXISTS audit_head_advance_only ON audit_audithead",
    """CREATE TRIGGER audit_head_advance_only BEFORE INSERT OR UPDATE ON audit_audithead
       FOR EACH ROW EXECUTE FUNCTION audit_head_advance_only()""",
    "DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_audithead",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_audithead
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_audithead",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_audithead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
PG_TRIGGERS = {
    "audit_entry_insert_next",
    "audit_entry_append_only",
    "audit_entry_no_truncate",
    "audit_head_advance_only",
    "audit_head_no_delete",
    "audit_head_no_truncate",
}
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_entry_insert_next ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_head_advance_only ON audit_audithead",
    "DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_audithead",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_audithead",
]

_ABORT = f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
SQLITE_INSTALL = [
    # An entry follows the head, and never replaces a row (INSERT OR REPLACE deletes the
    # old row without firing the DELETE trigger).
    f"""CREATE TRIGGER IF NOT EXISTS audit_entry_insert_next BEFORE INSERT ON audit_auditentry
        WHEN NOT EXISTS (
            SELECT 1 FROM audit_audithead h
            WHERE h.id = 1 AND h.seq = NEW.seq - 1 AND h.hash = NEW.prev_hash
        ) OR EXISTS (
            SELECT 1 FROM audit_auditentry e WHERE e.id = NEW.id OR e.seq = NEW.seq
        ) {_ABORT}""",
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry {_ABORT}",
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_auditentry {_ABORT}",
    f"CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_audithead {_ABORT}",
    f"""CREATE TRIGGER IF NOT EXISTS audit_head_insert_once BEFORE INSERT ON audit_audithead
        WHEN NEW.seq != 0 OR EXISTS (SELECT 1 FROM audit_audithead) {_ABORT}""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_head_advance_only BEFORE UPDATE ON audit_audithead
        WHEN NEW.id != OLD.id OR NEW.seq != OLD.seq + 1 OR NOT EXISTS (
            SELECT 1 FROM audit_auditentry e WHERE e.seq = NEW.seq AND e.hash = NEW.hash
        ) {_ABORT}""",
]
SQLITE_TRIGGERS = {
    "audit_entry_insert_next",
    "audit_entry_no_update",
    "audit_entry_no_delete",
    "audit_head_no_delete",
    "audit_head_insert_once",
    "audit_head_advance_only",
}
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {name}" for name in sorted(SQLITE_TRIGGERS)]


def _statements(vendor: str, install: bool) -> list[str]:
    table = {
        ("postgresql", True): PG_INSTALL,
        ("postgresql", False): PG_REMOVE,
        ("sqlite", True): SQLITE_INSTALL,
        ("sqlite", False): SQLITE_REMOVE,
    }
    try:
        return table[(vendor, install)]
    except KeyError:
        raise RuntimeError(f"Sanhao runs on PostgreSQL or SQLite, not {vendor}") from None


def install(connection: Any) -> None:
    """Create (or recreate) the guards; safe to run again."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True):
            cursor.execute(sql)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False):
            cursor.execute(sql)


def installed(connection: Any) -> set[str]:
    """The names of the guards present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(  # a disabled trigger guards nothing
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN ('audit_auditentry'::regclass, 'audit_audithead'::regclass)"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    expected = PG_TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS
    return names & expected


def expected(connection: Any) -> set[str]:
    return PG_TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS
