"""Behind the reverse proxy, an attacker elsewhere cannot lock the office out (issue 6, item 3)."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from sanhao.conftest import PASSWORD
from sanhao.lib.net import client_ip, throttle_address

PROXY = "10.0.0.1"
OFFICE_DESK = "198.51.100.7"
ATTACKER = "203.0.113.9"


def _via_proxy(forwarded_for: str) -> Client:
    """A client whose requests all arrive from the proxy, which sets X-Forwarded-For."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def _login(client: Client, password: str):
    return client.post(reverse("accounts:login"), {"username": "office", "password": password})


BEHIND = {"BEHIND_PROXY": True, "TRUSTED_PROXIES": 1, "TRUSTED_PROXY_IPS": ["10.0.0.0/24"]}


@override_settings(**BEHIND)
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
        (True, 1, " , 9.9.9.9,, 1.2.3.4 ", "1.2.3.4"),
        (True, 2, "9.9.9.9, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (True, 2, "1.2.3.4", PROXY),
        (True, 1, "not-an-address", "not-an-address"),  # its own bucket, not the proxy's
        (True, 1, "2001:db8::1", "2001:db8::1"),
        (True, 1, "203.0.113.9:5555", "203.0.113.9"),
        (True, 1, "[2001:DB8::1]:443", "2001:db8::1"),
        (True, 1, "::ffff:203.0.113.9", "203.0.113.9"),
    ],
)
def test_client_ip(behind, trusted, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(**{**BEHIND, "BEHIND_PROXY": behind, "TRUSTED_PROXIES": trusted}):
        assert client_ip(request) == expected


@override_settings(**BEHIND)
def test_the_header_is_believed_only_from_the_proxy(world):
    """A client that reaches gunicorn directly cannot name an address for itself."""
    direct = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OFFICE_DESK)
    for _ in range(5):
        _login(direct, "guess")
    assert _login(_via_proxy(OFFICE_DESK), PASSWORD).status_code == 302
    request = RequestFactory().get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OFFICE_DESK)
    assert client_ip(request) == ATTACKER


@override_settings(**BEHIND)
def test_an_ipv6_attacker_is_throttled_by_its_64(world):
    for i in range(5):
        _login(_via_proxy(f"2001:db8:0:1::{i + 1:x}"), "guess")
    assert _login(_via_proxy("2001:db8:0:1::99"), PASSWORD).status_code == 429
    assert (
        throttle_address(
            RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:db8:0:1::99")
        )
        == "2001:db8:0:1::"
    )
    assert _login(_via_proxy(OFFICE_DESK), PASSWORD).status_code == 302


@override_settings(**BEHIND, ACCOUNT_FAILURE_LIMIT=30)
def test_guessing_from_many_addresses_stops_but_the_office_desk_still_works(world):
    assert _login(_via_proxy(OFFICE_DESK), PASSWORD).status_code == 302  # the usual desk
    for i in range(40):  # four guesses each from ten addresses: no address is locked
        _login(_via_proxy(f"198.18.0.{i // 4 + 1}"), "guess")
    fresh = _login(_via_proxy("198.18.1.1"), PASSWORD)
    assert fresh.status_code == 200 and "多个地址登录失败次数过多" in fresh.content.decode()
    assert _login(_via_proxy(OFFICE_DESK), PASSWORD).status_code == 302
