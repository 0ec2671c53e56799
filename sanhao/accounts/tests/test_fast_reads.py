"""The session and the signed-in account are read by hand-written queries: they must
refuse exactly what Django's own reads refuse."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from sanhao.accounts.backends import AccountBackend
from sanhao.accounts.models import User
from sanhao.accounts.sessions import SessionStore


def test_a_session_reads_back_what_was_saved_and_not_once_expired(db):
    store = SessionStore()
    store["a"] = {"b": [1, "甲"]}
    store.save()
    assert SessionStore(store.session_key)["a"] == {"b": [1, "甲"]}
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    again = SessionStore(store.session_key)
    assert again.get("a") is None and again.session_key is None


@pytest.mark.parametrize("key", ["nonexistent-key-123", "' OR '1'='1", "x" * 40])
def test_an_unknown_session_key_is_an_empty_session(db, key):
    assert SessionStore(key).get("_auth_user_id") is None


def test_get_user_is_the_account_or_nothing(world, settings):
    backend = AccountBackend()
    assert backend.get_user(str(world.viewer.pk)) == world.viewer
    assert backend.get_user(str(world.viewer.pk)).unit_id is None
    for bad in ("999999", "abc", None, "1; DROP TABLE accounts_user"):
        assert backend.get_user(bad) is None
    User.objects.filter(pk=world.viewer.pk).update(is_active=False)
    assert backend.get_user(world.viewer.pk) is None
    User.objects.filter(pk=world.viewer.pk).update(is_active=True, is_demo=True)
    settings.DEBUG = False
    assert backend.get_user(world.viewer.pk) is None  # a demo account, DEBUG off


def test_a_deactivated_account_is_signed_out_at_its_next_request(world):
    client = world.client_for(world.liaison_a)
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=world.liaison_a.pk).update(is_active=False)
    assert client.get(reverse("home")).status_code == 302
