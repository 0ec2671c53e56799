"""Behind the reverse proxy, an attacker elsewhere cannot lock the office out (issue 6, item 3)."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from sanhao.conftest import PASSWORD
from sanhao.lib.net import client_ip

PROXY = "10.0.0.1"
OFFICE_DESK = "198.51.100.7"
ATTACKER = "203.0.113.9"


def _via_proxy(forwarded_for: str) -> Client:
    """A client whose requests all arrive from the proxy, which sets X-Forwarded-For."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def _login(client: Client, password: str):
    return client.post(reverse("accounts:login"), {"username": "office", "password": password})


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=1)
def test_the_attacker_is_throttled_and_the_office_still_gets_in(world):
    attacker = _via_proxy(ATTACKER)
    for _ in range(5):
        _login(attacker, "guess")
    assert _login(attacker, PASSWORD).status_code == 429  # locked, even with the right one
    # The attacker forges the office's address to the left: the proxy appended the real one.
    forged = _via_proxy(f"{OFFICE_DESK}, {ATTACKER}")
    assert _login(forged, PASSWORD).status_code == 429
    office = _via_proxy(OFFICE_DESK)
    assert _login(office, PASSWORD).status_code == 302


@override_settings(BEHIND_PROXY=False)
def test_without_the_proxy_setting_the_header_is_ignored(world):
    for _ in range(5):
        _login(Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OFFICE_DESK), "guess")
    # A header cannot move the attacker to a fresh address and around the lock.
    fresh = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert _login(fresh, PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR=OFFICE_DESK), PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("behind", "trusted", "forwarded", "expected"),
    [
        (False, 1, "1.2.3.4", PROXY),
        (True, 1, "", PROXY),
        (True, 1, "1.2.3.4", "1.2.3.4"),
        (True, 1, "9.9.9.9, 1.2.3.4", "1.2.3.4"),
        (True, 2, "9.9.9.9, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (True, 2, "1.2.3.4", PROXY),
        (True, 1, "not-an-address", PROXY),
        (True, 1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(behind, trusted, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(BEHIND_PROXY=behind, TRUSTED_PROXIES=trusted):
        assert client_ip(request) == expected
