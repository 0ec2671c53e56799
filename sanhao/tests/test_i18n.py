"""Every string a person sees reads in Chinese: the catalogue is complete and current."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_it_has_no_untranslated_or_fuzzy_entry():
    catalogue = polib.pofile(str(PO))
    assert not catalogue.metadata_is_fuzzy
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert [e.msgid for e in catalogue.obsolete_entries()] == []


def test_it_has_every_message_of_the_code_in_the_catalogue(tmp_path, monkeypatch):
    """makemessages on a copy of the catalogue: no msgid may be new to it."""
    if shutil.which("xgettext") is None:
        if __import__("os").environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is needed under CI")
        pytest.skip("GNU gettext (xgettext) is not installed")
    before = {e.msgid for e in polib.pofile(str(PO))}
    saved = PO.read_bytes()
    try:
        monkeypatch.chdir(ROOT)
        call_command("makemessages", locale=["zh_Hans"], no_location=True, verbosity=0,
                     ignore_patterns=[".venv", "node_modules"])  # fmt: skip
        after = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    finally:
        PO.write_bytes(saved)
    assert after - before == set(), "run makemessages and translate the new strings"


def test_it_speaks_chinese_by_default_and_english_on_request(world):
    client = world.client_for(world.office)
    assert "镇街" in client.get(reverse("orgs:unit_list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/units/"})
    body = client.get(reverse("orgs:unit_list")).content.decode()
    assert "Units" in body and '<html lang="en">' in body


def test_it_answers_in_chinese_whatever_the_browser_language(db):
    response = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert "登录" in body and "账号" in body and response["Content-Language"] == "zh-hans"
