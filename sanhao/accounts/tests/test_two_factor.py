"""Two-factor sign-in with an authenticator app (TOTP, django-otp): set up by the office
account itself, asked for after the password, throttled, turned off by the office
(issue 10, part 5)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import confirm_two_factor, create_account, start_two_factor
from sanhao.accounts.tests.helpers import code, login, session_keys, signed_in
from sanhao.audit.models import AuditEntry
from sanhao.conftest import PASSWORD
from sanhao.lib.errors import DomainError


def _turned_on(user) -> TOTPDevice:
    device = start_two_factor(user, actor=user)
    return confirm_two_factor(user, code(device), keep=None, actor=user)


def _unthrottle(device: TOTPDevice) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=5)
    )


def test_the_office_sets_it_up_with_a_qr_code_and_a_code(world):
    client, other = signed_in("office"), signed_in("office")
    url = reverse("accounts:two_factor")
    assert "未开启" in client.get(url).content.decode()
    assert client.post(url, {"action": "start"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'src="data:image/svg+xml' in page and " style=" not in page
    device = TOTPDevice.objects.get(user=world.office)
    assert not device.confirmed
    assert device.config_url.split("secret=")[1][:8] in page.replace(" ", "")  # the key as text
    wrong = client.post(url, {"action": "confirm", "code": "000000"}).content.decode()
    assert "动态码错误" in wrong
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    _unthrottle(device)
    response = client.post(url, {"action": "confirm", "code": code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert "已开启" in client.get(url).content.decode()
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # The session signed in with the password alone is signed out.
    assert other.get(reverse("home")).status_code == 302
    assert session_keys(world.office) == {client.session.session_key}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.two_factor.start", "accounts.two_factor.enable"} <= actions
    secret = device.config_url.split("secret=")[1].split("&")[0]
    for data in AuditEntry.objects.values_list("data", flat=True):
        assert device.key not in str(data) and secret not in str(data)


def test_signing_in_asks_for_the_code_after_the_password(world):
    device = _turned_on(world.office)
    client = Client()
    response = login(client, "office")
    assert response["Location"] == reverse("accounts:login_verify")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    verify = reverse("accounts:login_verify")
    page = client.get(verify).content.decode()
    assert "6 位动态码" in page and " style=" not in page
    assert "动态码错误" in client.post(verify, {"code": "123456"}).content.decode()
    assert client.get(reverse("home")).status_code == 302
    # Throttled: right after a wrong code even the right one is refused.
    assert "错误次数过多" in client.post(verify, {"code": code(device, 1)}).content.decode()
    _unthrottle(device)
    response = client.post(verify, {"code": code(device, 1)})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key in session_keys(world.office)
    # A code is accepted once: the same code cannot sign in a second time.
    again = Client()
    login(again, "office")
    assert "动态码错误" in again.post(verify, {"code": code(device, 1)}).content.decode()


def test_an_account_without_it_signs_in_with_the_password(world):
    _turned_on(world.office)
    assert login(Client(), "liaison-a")["Location"] == reverse("home")


def test_the_code_step_expires_and_needs_a_password_step(world, settings):
    _turned_on(world.office)
    verify = reverse("accounts:login_verify")
    assert Client().get(verify)["Location"] == reverse("accounts:login")  # no password given
    client = Client()
    login(client, "office")
    settings.LOGIN_CODE_SECONDS = -1
    assert client.get(verify)["Location"] == reverse("accounts:login")


def test_the_admin_login_is_the_sites_login(world):
    response = Client().get("/admin/login/?next=/admin/orgs/unit/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert world.client_for(world.viewer).get("/admin/login/").status_code == 403


def test_the_office_turns_off_a_lost_phones_two_factor(world):
    second = create_account(username="office-2", password=PASSWORD, role=AccountRole.OFFICE,
                            actor=world.office)  # fmt: skip
    _turned_on(second)
    listed = world.client_for(world.office).get(reverse("accounts:user_list")).content.decode()
    assert "已开启" in listed
    url = reverse("accounts:user_two_factor_off", kwargs={"user_pk": second.pk})
    assert world.client_for(world.office).post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=second).exists()
    entry = AuditEntry.objects.get(action="accounts.two_factor.disable")
    assert entry.actor == world.office and entry.object_id == str(second.pk)
    assert login(Client(), "office-2")["Location"] == reverse("home")  # the password alone
    with pytest.raises(DomainError):  # nothing left to turn off
        from sanhao.accounts.services import disable_two_factor

        disable_two_factor(second, actor=world.office)


def test_other_roles_cannot_set_it_up(world):
    with pytest.raises(DomainError):
        start_two_factor(world.liaison_a, actor=world.liaison_a)
    with pytest.raises(DomainError):
        start_two_factor(world.office, actor=create_account(
            username="office-2", password=PASSWORD, role=AccountRole.OFFICE, actor=None))  # fmt: skip


def test_office_require_2fa_sends_an_office_account_to_set_it_up(world, settings):
    settings.OFFICE_REQUIRE_2FA = True
    client = signed_in("office")
    for path in (reverse("home"), reverse("accounts:user_list"), "/admin/"):
        assert client.get(path)["Location"] == reverse("accounts:two_factor")
    assert signed_in("liaison-a").get(reverse("home")).status_code == 200  # office only
    client.post(reverse("accounts:two_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=world.office)
    client.post(reverse("accounts:two_factor"), {"action": "confirm", "code": code(device)})
    assert client.get(reverse("home")).status_code == 200
    settings.OFFICE_REQUIRE_2FA = False
    assert world.client_for(world.office).get(reverse("home")).status_code == 200
