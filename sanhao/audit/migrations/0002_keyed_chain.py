"""Sign the chain with a key: every existing entry's plain SHA-256 hash becomes an
HMAC-SHA-256 keyed with settings.AUDIT_KEY. The old chain is checked first; a chain
that no longer verifies is not re-signed (that would hide the change)."""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations

GENESIS = "0" * 64


def _payload(e, prev_hash):
    return json.dumps(
        [e.seq, e.created.isoformat(), e.actor_id, e.actor_name, e.action, e.object_type,
         e.object_id, e.object_repr, e.data, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    ).encode("utf-8")  # fmt: skip


def forward(apps, schema_editor):
    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "AuditHead")
    entries = list(Entry.objects.order_by("seq"))
    if not entries:
        return
    key = settings.AUDIT_KEY.encode("utf-8")
    old_prev, new_prev = GENESIS, GENESIS
    for entry in entries:
        if (
            entry.prev_hash != old_prev
            or hashlib.sha256(_payload(entry, old_prev)).hexdigest() != entry.hash
        ):
            raise RuntimeError(
                f"audit entry #{entry.seq} does not verify: the log was changed before this "
                "upgrade; it is not re-signed. Investigate with the previous version's verify_audit."
            )
        old_prev = entry.hash
        new_hash = hmac.new(key, _payload(entry, new_prev), hashlib.sha256).hexdigest()
        Entry.objects.filter(pk=entry.pk).update(prev_hash=new_prev, hash=new_hash)
        new_prev = new_hash
    Head.objects.filter(pk=1).update(hash=new_prev)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
