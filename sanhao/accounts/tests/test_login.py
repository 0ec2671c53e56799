import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanhao.accounts.models import User
from sanhao.accounts.services import create_account
from sanhao.conftest import PASSWORD


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_signs_in_and_out(world):
    client = Client()
    response = login(client, "liaison-a")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302


def test_it_explains_a_wrong_password_in_chinese(world):
    body = login(Client(), "liaison-a", "wrong").content.decode()
    assert "账号或密码错误" in body


def test_it_locks_an_account_after_five_failures(world):
    client = Client()
    for _ in range(5):
        login(client, "liaison-a", "wrong")
    locked = login(client, "liaison-a")  # even the right password now
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert login(Client(), "viewer").status_code == 302  # others are not locked


def test_it_hashes_passwords_with_argon2(db, settings):
    import sanhao.settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # undo the tests' fast hashing
    user = create_account(username="new", password="secret-value-1", role="viewer", actor=None)
    assert user.password.startswith("argon2$")
    assert make_password("x").startswith("argon2$")


def test_it_refuses_demo_accounts_when_debug_is_off(world, settings):
    User.objects.filter(pk=world.viewer.pk).update(is_demo=True)
    settings.DEBUG = False
    assert login(Client(), "viewer").status_code == 200  # the form again, with an error
    settings.DEBUG = True
    assert login(Client(), "viewer").status_code == 302


def test_it_signs_the_office_out_after_idle_time(world, settings):
    settings.OFFICE_IDLE_SECONDS = 1800
    office, liaison = Client(), Client()
    login(office, "office")
    login(liaison, "liaison-a")
    office.get(reverse("home"))
    liaison.get(reverse("home"))
    assert office.session.get_expiry_age() == 1800
    assert liaison.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    # Idle past the limit: the stored session has expired, the next page asks to sign in.
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=office.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert office.get(reverse("home")).status_code == 302
    assert liaison.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("path", ["/", "/units/", "/accounts/login/"])
def test_it_sends_security_headers_and_a_strict_csp(world, path):
    response = world.client_for(world.office).get(path, follow=True)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()  # no inline script anywhere
    assert " style=" not in response.content.decode()
