"""Two leaders of one unit may never hold the post at the same time.

Django's constraints cannot say "periods do not overlap" on every database, so this
is written per database: PostgreSQL gets an exclusion constraint over date ranges,
SQLite gets triggers that abort an overlapping insert or update. Posts are the
half-open periods [start, end), an empty end meaning "still held".
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE orgs_post ADD CONSTRAINT post_leader_periods_do_not_overlap
    EXCLUDE USING gist (unit_id WITH =, daterange(start, "end", '[)') WITH &&)
    WHERE (role = 'leader')
    """,
]
PG_BACKWARD = ["ALTER TABLE orgs_post DROP CONSTRAINT post_leader_periods_do_not_overlap"]

SQLITE_CHECK = """
    SELECT RAISE(ABORT, 'post_leader_periods_do_not_overlap')
    WHERE NEW.role = 'leader' AND EXISTS (
        SELECT 1 FROM orgs_post other
        WHERE other.unit_id = NEW.unit_id AND other.role = 'leader' AND other.id != NEW.id
          AND (other."end" IS NULL OR other."end" > NEW.start)
          AND (NEW."end" IS NULL OR NEW."end" > other.start)
    );
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER post_leader_overlap_insert BEFORE INSERT ON orgs_post BEGIN {SQLITE_CHECK} END",
    f"CREATE TRIGGER post_leader_overlap_update BEFORE UPDATE ON orgs_post BEGIN {SQLITE_CHECK} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER post_leader_overlap_insert",
    "DROP TRIGGER post_leader_overlap_update",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor)
    if statements is None:
        raise RuntimeError(f"Sanhao runs on PostgreSQL or SQLite, not {vendor}")
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}[vendor]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
