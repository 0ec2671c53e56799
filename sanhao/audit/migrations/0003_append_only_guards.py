"""The database refuses UPDATE, DELETE and TRUNCATE of audit entries, and lets the chain
head only advance onto an entry that exists (see sanhao/audit/guards.py; post_migrate
installs them again after every migrate, so a table rebuild cannot lose them)."""

from django.db import migrations


def forward(apps, schema_editor):
    from sanhao.audit import guards

    guards.install(schema_editor.connection)


def backward(apps, schema_editor):
    from sanhao.audit import guards

    guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_keyed_chain")]
    operations = [migrations.RunPython(forward, backward)]
