"""Writing and checking the audit log. Every service write calls `record`.

Each entry's hash is an HMAC-SHA-256 keyed with `settings.AUDIT_KEY`, a key that
comes from the environment and never enters the database: someone who can write to
the database can change an entry, but cannot compute the hashes that would make the
chain verify again. `verify_audit` needs the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from sanhao.audit.models import GENESIS_HASH, AuditEntry, AuditHead

# Keys that must never reach the log: passwords, secrets, tokens, keys, cookies and
# sessions, one-time and voter codes, PINs. A unit's or a person's `code` is an
# identifier and stays allowed.
SECRET_KEY_PATTERN = re.compile(
    r"pass(word|wd|phrase|code)|(?<![a-z])pass(?![a-z])|(?<![a-z])pwd?(?![a-z])|"
    r"secret|token|(?<![a-z])t?otp(?![a-z])|"
    r"credential|cookie|session|authori[sz]ation|salt|"
    r"(api|private|signing|audit|secret|access)[-_ ]?key|"
    r"(?<![a-z])pin(?![a-z])|"
    r"(voter|ballot|vote|access|auth|reset|verification|one_?time|recovery|login|sms|mfa|2fa|"
    r"totp)[-_ ]?code",
    re.IGNORECASE,
)
# Values that are a stored password whatever their key is called.
PASSWORD_HASH_PATTERN = re.compile(
    r"^(argon2(\$argon2(id?|d))?|pbkdf2_sha(1|256)|bcrypt(_sha256)?|scrypt|md5|sha1|crypt)\$"
)


class SecretInAuditData(ValueError):
    """`record` was given data that names or holds a secret, or a value it cannot keep."""


def secret_keys(value: Any, path: str = "") -> list[str]:
    """The paths of every key in `value` (nested dicts and lists) that names a secret,
    of every value that is a stored password, and of every float (a float's JSON
    text may not survive the database: PostgreSQL reads 1e16 back as an integer)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if SECRET_KEY_PATTERN.search(str(key)):
                found.append(where)
            found.extend(secret_keys(item, where))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.extend(secret_keys(item, f"{path}[{index}]"))
    elif isinstance(value, float) or (
        isinstance(value, str) and PASSWORD_HASH_PATTERN.match(value)
    ):
        found.append(path or "(value)")
    return found


def audit_key() -> bytes:
    key = getattr(settings, "AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_KEY is not set: the audit chain cannot be signed.")
    return str(key).encode("utf-8")


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
    return hmac.new(audit_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


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
    """Append one entry `action` (an `app.object.verb` code) done by `actor` to `obj`.

    `data` is what changed, never a secret: a key naming a password, secret, token or
    one-time code is refused (`SecretInAuditData`) before anything is written.
    """
    leaked = secret_keys(data or {})
    if leaked:
        raise SecretInAuditData(f"audit data must not hold secrets: {', '.join(leaked)}")
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


class _DoubledKey(ValueError):
    pass


def _no_doubled_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    if len(keys) != len(set(keys)):
        raise _DoubledKey
    return dict(pairs)


def _first_doubled_key() -> int | None:
    """SQLite keeps `data` as the text written; JSON with a key written twice reads back
    as its last value in Python but its first in SQLite's own JSON functions. The
    application never writes such text, so its presence is tampering. (PostgreSQL's
    jsonb keeps one value per key: nothing to find there.)"""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, data FROM {AuditEntry._meta.db_table} ORDER BY seq")
        for seq, text in cursor:
            try:
                json.loads(text, object_pairs_hook=_no_doubled_keys)
            except (_DoubledKey, ValueError, TypeError):
                return int(seq)
    return None


def chain_head() -> tuple[int, str]:
    """The sequence number and hash of the newest entry, to be written down outside."""
    head = AuditHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def verify_chain(batch_size: int = 2000, *, expect: tuple[int, str] | None = None) -> ChainReport:
    """Walk the chain in order; report the first entry altered, removed or out of place.

    `expect` is a head (sequence number, hash or its first 16 or more characters)
    written down earlier outside the database: the chain must still hold that entry
    with that hash. It catches what no key can: the newest entries removed and the
    head set back to an older, genuine state.
    """
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    doubled = _first_doubled_key()
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq == doubled:
            return ChainReport(False, checked, entry.seq, "altered")
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, "missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.seq, "broken link")
        if not hmac.compare_digest(_hash_of(entry), entry.hash):
            return ChainReport(False, checked, entry.seq, "altered")
        written = expect is not None and entry.seq == expect[0]
        if written and not entry.hash.startswith(expect[1].lower()):  # type: ignore[index]
            return ChainReport(False, checked, entry.seq, "not as written down")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head_seq, head_hash = chain_head()
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(False, checked, checked + 1, "missing")
    if expect is not None and expect[0] > checked:
        return ChainReport(False, checked, checked + 1, "missing")
    return ChainReport(True, checked)
