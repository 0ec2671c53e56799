"""Voter codes and receipts: made by `secrets`, kept only as a keyed hash.

A code is 10 characters of a 32-letter alphabet without the look-alikes 0/O and 1/I
(50 bits): short enough to type from a slip, far too many to guess (docs/ballots.md gives
the odds under the guess limits). It is shown in two groups of five, `K7M2P-QX4RT`; what
a voter types is read back without spaces, dashes or case. The database holds
HMAC-SHA-256(BALLOT_CODE_KEY, code): a dump without the key cannot test a guess.

A receipt is a random token of 16 characters of the same alphabet, given once to the
voter after the ballot is stored; the database holds its keyed hash, in a table of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
RECEIPT_LENGTH = 16
assert len(set(ALPHABET)) == 32 and not set("01IO") & set(ALPHABET)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH))


def shown(code: str) -> str:
    """A code or a receipt as printed: groups of five (or four) characters."""
    size = 5 if len(code) == CODE_LENGTH else 4
    return "-".join(code[k : k + size] for k in range(0, len(code), size))


def normalized(text: str) -> str:
    """What a voter typed, as a code: upper case, without spaces and dashes. Look-alikes
    are read as what they look like (O as 0 is not in the alphabet, so it stays wrong)."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())[:64]


def well_formed(code: str, length: int = CODE_LENGTH) -> bool:
    return len(code) == length and all(ch in ALPHABET for ch in code)


def digest(code: str, *, purpose: str = "code") -> str:
    """The keyed hash stored for a code (purpose "code") or a receipt ("receipt")."""
    key = settings.BALLOT_CODE_KEY.encode()
    return hmac.new(key, f"{purpose}:{code}".encode(), hashlib.sha256).hexdigest()
