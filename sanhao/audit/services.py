"""Writing and checking the audit log. Every service write calls `record`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from sanhao.audit.models import GENESIS_HASH, AuditEntry, AuditHead


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    *,
    seq: int,
    created: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    data: Any,
    prev_hash: str,
) -> str:
    payload = _canonical(
        [
            seq,
            created,
            actor_id,
            actor_name,
            action,
            object_type,
            object_id,
            object_repr,
            data,
            prev_hash,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        created=entry.created.isoformat(),
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        data=entry.data,
        prev_hash=entry.prev_hash,
    )


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "system"
    return str(actor.get_username())


@transaction.atomic
def record(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry `action` (an `app.object.verb` code) done by `actor` to `obj`."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    # JSON round trip: the stored data is exactly what was hashed (dates become text).
    clean = json.loads(_canonical(data or {}))
    created = timezone.now()
    entry = AuditEntry(
        seq=head.seq + 1,
        created=created,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=_actor_name(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=clean,
        prev_hash=head.hash,
    )
    entry.hash = _hash_of(entry)
    entry.save()
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first entry altered, removed or out of place."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, "missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.seq, "broken link")
        if _hash_of(entry) != entry.hash:
            return ChainReport(False, checked, entry.seq, "altered")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(False, checked, checked + 1, "missing")
    return ChainReport(True, checked)
