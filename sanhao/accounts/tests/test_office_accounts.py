"""The office's account pages: list, create, reset a password, deactivate and
reactivate (issue 10, part 5)."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from sanhao.accounts.models import AccountRole, User, UserSession
from sanhao.accounts.services import create_account, deactivate_account
from sanhao.accounts.tests.helpers import login, session_keys, signed_in
from sanhao.audit.models import AuditEntry
from sanhao.conftest import PASSWORD
from sanhao.lib.errors import DomainError

OFFICE_PAGES = [
    ("get", "accounts:user_list", False),
    ("get", "accounts:user_create", False),
    ("get", "accounts:user_detail", True),
    ("post", "accounts:user_reset", True),
    ("post", "accounts:user_deactivate", True),
    ("post", "accounts:user_reactivate", True),
    ("post", "accounts:user_two_factor_off", True),
    ("get", "accounts:two_factor", False),
]


@pytest.mark.parametrize(("method", "name", "takes_account"), OFFICE_PAGES)
def test_the_office_pages_refuse_every_other_role(world, method, name, takes_account):
    kwargs = {"user_pk": world.viewer.pk} if takes_account else {}
    for who in ("liaison_a", "judge", "viewer"):
        client = world.client_for(getattr(world, who))
        assert getattr(client, method)(reverse(name, kwargs=kwargs)).status_code == 403
    assert world.viewer.__class__.objects.get(pk=world.viewer.pk).is_active
    assert not AuditEntry.objects.filter(action__startswith="accounts.user.r").exists()


def _shown_password(response) -> str:
    found = re.search(r'<code class="secret">([^<]+)</code>', response.content.decode())
    assert found, response.content.decode()
    return found.group(1)


def test_the_list_shows_every_account_with_its_sign_in_state(world):
    page = world.client_for(world.office).get(reverse("accounts:user_list")).content.decode()
    for name in ("office", "liaison-a", "liaison-b", "judge", "viewer", "甲镇", "镇街联络员"):
        assert name in page
    assert "双因素" in page and "从未登录" in page
    header = world.client_for(world.office).get(reverse("home")).content.decode()
    assert reverse("accounts:user_list") in header


def test_the_office_creates_an_account_whose_generated_password_is_shown_once(world):
    office = world.client_for(world.office)
    refused = office.post(reverse("accounts:user_create"),
                          {"username": "l-a2", "role": "liaison", "password": ""})  # fmt: skip
    assert "联络员账号必须对应一个镇街" in refused.content.decode()
    response = office.post(reverse("accounts:user_create"),
                           {"username": "l-a2", "full_name": "甲镇二号", "role": "liaison",
                            "unit": world.a.pk, "password": ""})  # fmt: skip
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = _shown_password(response)
    account = User.objects.get(username="l-a2")
    assert account.unit == world.a and account.must_change_password
    assert account.check_password(password)
    assert password not in str(list(AuditEntry.objects.values_list("data", flat=True)))
    # Its first sign-in asks for its own password first.
    client = signed_in("l-a2", password)
    assert client.get(reverse("home"))["Location"] == reverse("accounts:password_change")


def test_a_reset_password_must_be_changed_at_the_next_sign_in(world):
    before = signed_in("liaison-a")
    response = world.client_for(world.office).post(
        reverse("accounts:user_reset", kwargs={"user_pk": world.liaison_a.pk}), {"password": ""}
    )
    temporary = _shown_password(response)
    assert "no-store" in response["Cache-Control"]
    # Signed out everywhere at once.
    assert before.get(reverse("home")).status_code == 302
    assert not session_keys(world.liaison_a)
    assert login(before, "liaison-a").status_code == 200  # the old password is gone
    client = signed_in("liaison-a", temporary)
    for path in (reverse("home"), reverse("orgs:unit_list"), "/admin/"):
        assert client.get(path)["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "请先设置您自己的密码" in page
    new = "liaison-a-own-choice-55"
    client.post(reverse("accounts:password_change"),
                {"old_password": temporary, "new_password1": new, "new_password2": new})  # fmt: skip
    assert client.get(reverse("home")).status_code == 200
    assert not User.objects.get(pk=world.liaison_a.pk).must_change_password
    entry = AuditEntry.objects.get(action="accounts.user.reset_password")
    assert entry.actor == world.office and entry.data == {"generated": True, "signed_out": 1}
    for data in AuditEntry.objects.values_list("data", flat=True):
        assert temporary not in str(data) and new not in str(data)


def test_a_typed_temporary_password_passes_the_validators(world):
    url = reverse("accounts:user_reset", kwargs={"user_pk": world.viewer.pk})
    office = world.client_for(world.office)
    assert "这个密码太常见了" in office.post(url, {"password": "password"}).content.decode()
    assert User.objects.get(pk=world.viewer.pk).check_password(PASSWORD)
    assert _shown_password(office.post(url, {"password": "typed-by-the-office-8"})) == (
        "typed-by-the-office-8"
    )
    assert User.objects.get(pk=world.viewer.pk).check_password("typed-by-the-office-8")


def test_deactivating_ends_every_session_of_the_account_at_once(world):
    phone, desk = signed_in("liaison-a"), signed_in("liaison-a")
    keys = session_keys(world.liaison_a)
    assert len(keys) == 2
    other = signed_in("liaison-b")
    office = world.client_for(world.office)
    response = office.post(reverse("accounts:user_deactivate",
                                   kwargs={"user_pk": world.liaison_a.pk}))  # fmt: skip
    assert response.status_code == 302
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=world.liaison_a).exists()
    for client in (phone, desk):
        assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    assert other.get(reverse("home")).status_code == 200
    assert login(phone, "liaison-a").status_code == 200  # cannot sign in again
    entry = AuditEntry.objects.get(action="accounts.user.deactivate")
    assert entry.data == {"signed_out": 2}
    # Reactivated: it signs in again; the old sessions stay ended.
    office.post(reverse("accounts:user_reactivate", kwargs={"user_pk": world.liaison_a.pk}))
    assert login(phone, "liaison-a").status_code == 302
    assert desk.get(reverse("home")).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.user.reactivate").count() == 1


def test_the_last_active_office_account_cannot_be_deactivated(world):
    office = world.client_for(world.office)
    url = reverse("accounts:user_deactivate", kwargs={"user_pk": world.office.pk})
    page = office.post(url, follow=True).content.decode()
    assert "最后一个" in page and User.objects.get(pk=world.office.pk).is_active
    second = create_account(username="office-2", password=PASSWORD, role=AccountRole.OFFICE,
                            actor=world.office)  # fmt: skip
    deactivate_account(second, actor=world.office)
    with pytest.raises(DomainError):
        deactivate_account(world.office, actor=world.office)
    with pytest.raises(DomainError):
        deactivate_account(world.office, actor=world.viewer)
    # With another active office account, the office may deactivate itself.
    second.is_active = True
    second.save(update_fields=["is_active"])
    assert office.post(url).status_code == 302
    assert not User.objects.get(pk=world.office.pk).is_active
