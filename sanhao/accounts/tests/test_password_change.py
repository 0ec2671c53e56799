"""The signed-in account changes its own password (issue 10, part 5)."""

import logging

from django.contrib.sessions.models import Session
from django.urls import reverse

from sanhao.accounts.models import User, UserSession
from sanhao.accounts.tests.helpers import session_keys, signed_in
from sanhao.audit.models import AuditEntry
from sanhao.conftest import PASSWORD

NEW = "a-new-secret-for-liaison-7"


def _change(client, old=PASSWORD, new=NEW, again=None):
    return client.post(reverse("accounts:password_change"),
                       {"old_password": old, "new_password1": new,
                        "new_password2": new if again is None else again})  # fmt: skip


def test_it_changes_the_password_and_signs_out_only_the_other_sessions(world, caplog):
    caplog.set_level(logging.DEBUG)
    here, elsewhere = signed_in("liaison-a"), signed_in("liaison-a")
    page = here.get(reverse("home")).content.decode()
    assert reverse("accounts:password_change") in page  # the header's link
    assert len(session_keys(world.liaison_a)) == 2
    old_key = here.session.session_key
    response = _change(here)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert here.get(reverse("home")).status_code == 200  # this one stays
    assert elsewhere.get(reverse("home")).status_code == 302  # the other one is signed out
    # The key of this session changed; its row followed it, the other's rows are gone.
    assert session_keys(world.liaison_a) == {here.session.session_key} != {old_key}
    assert not Session.objects.filter(session_key=old_key).exists()
    world.liaison_a.refresh_from_db()
    assert world.liaison_a.check_password(NEW)
    entry = AuditEntry.objects.get(action="accounts.user.change_password")
    assert entry.data == {"was_required": False, "signed_out": 1}
    # No password anywhere in the log or the audit log.
    for row in AuditEntry.objects.values_list("data", "object_repr"):
        assert NEW not in str(row) and PASSWORD not in str(row)
    assert NEW not in caplog.text


def test_it_refuses_a_wrong_old_password_and_a_weak_new_one(world):
    client = signed_in("liaison-a")
    assert "旧密码不正确" in _change(client, old="wrong").content.decode()
    assert "两个密码不一致" in _change(client, again="other-value-99").content.decode()
    weak = _change(client, new="12345678").content.decode()
    assert "这个密码太常见了" in weak and "密码只包含数字" in weak
    assert User.objects.get(pk=world.liaison_a.pk).check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="accounts.user.change_password").exists()


def test_every_role_has_the_page(world):
    for who in ("office", "liaison_a", "judge", "viewer"):
        page = world.client_for(getattr(world, who)).get(reverse("accounts:password_change"))
        assert page.status_code == 200 and "修改密码" in page.content.decode()
    assert UserSession.objects.count() == 4  # force_login is a sign-in too
