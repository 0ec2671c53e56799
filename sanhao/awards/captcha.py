"""The objection form's captcha: a small sum written in Chinese words ("三 加 五 等于几？").

No new dependency, no image (the platform runs on intranets, and a sum reads aloud for a
screen reader), no session and no cookie: the question travels with the form as a token
signed by `TimestampSigner`. The token holds a random nonce and a keyed hash of the
answer, never the answer itself (a signed token is readable, only not forgeable). It
expires after `MAX_AGE` seconds and is used once: checking it, right or wrong, puts its
nonce in the cache until it would expire anyway, so a second try needs a new page (the
answers are few, so a token that could be tried again could be guessed).

It keeps out the careless script, not a determined one; the rate limit per address
(sanhao/awards/objections.py) bounds what is left.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from sanhao.lib.errors import DomainError

SALT = "sanhao.awards.captcha"
MAX_AGE = 600  # seconds
NUMERALS = "零一二三四五六七八九十"
FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


class CaptchaRefused(DomainError):
    """The captcha's answer was wrong, or its token expired, was used or was forged."""


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _digest(nonce: str, answer: int) -> str:
    key = f"{settings.SECRET_KEY}:{SALT}".encode()
    return hmac.new(key, f"{nonce}:{answer}".encode(), hashlib.sha256).hexdigest()[:32]


def new_challenge() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        answer = a + b
        question = _("What is %(a)s plus %(b)s?") % {"a": NUMERALS[a], "b": NUMERALS[b]}
    else:
        a, b = max(a, b), min(a, b)
        answer = a - b
        question = _("What is %(a)s minus %(b)s?") % {"a": NUMERALS[a], "b": NUMERALS[b]}
    nonce = secrets.token_urlsafe(12)
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"n": nonce, "h": _digest(nonce, answer)}
    )
    return Challenge(question, token)


def _number(text: str) -> int | None:
    text = (text or "").strip().translate(FULL_WIDTH)
    if len(text) == 1 and text in NUMERALS:
        return NUMERALS.index(text)
    if text.startswith("十") and len(text) == 2 and text[1] in NUMERALS[1:10]:
        return 10 + NUMERALS.index(text[1])
    try:
        return int(text)
    except ValueError:
        return None


def check(token: str, answer: str) -> None:
    """Nothing when `answer` answers the token's question for the first time within
    MAX_AGE seconds; CaptchaRefused otherwise. The token is used up either way."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token or "", max_age=MAX_AGE)
        nonce, digest = str(data["n"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        # SignatureExpired is a BadSignature.
        raise CaptchaRefused(
            _("The check question has expired. Please answer the new one.")
        ) from None
    if not cache.add(f"awards:captcha:{nonce}", 1, timeout=MAX_AGE + 60):
        raise CaptchaRefused(_("This check question was already used. Please answer the new one."))
    number = _number(answer)
    if number is None or not hmac.compare_digest(_digest(nonce, number), digest):
        raise CaptchaRefused(
            _("The answer to the check question is wrong. Please answer the new one.")
        )
