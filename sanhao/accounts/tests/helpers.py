"""Signing in as a browser does, and the codes an authenticator app would show."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanhao.accounts.models import User, UserSession
from sanhao.conftest import PASSWORD


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    assert login(client, username, password).status_code == 302
    return client


def code(device: TOTPDevice, ahead: int = 0) -> str:
    """The code the app shows now, or `ahead` steps (of 30 seconds) later: a code is
    accepted once, so a second sign-in in the same step uses the next one."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def session_keys(user: User) -> set[str]:
    """The account's sessions as UserSession lists them, and as the session table has them."""
    listed = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    assert listed == set(Session.objects.filter(session_key__in=listed).values_list(
        "session_key", flat=True))  # fmt: skip
    return listed
