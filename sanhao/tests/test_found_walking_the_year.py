"""What walking the year in a browser (test_browser_year.py) found wrong, held here by
fast tests: a spot check's and a ballot session's title is a document's title (标题), not a
post's (职务, the plain msgid "title"); a button is never inside a <label>, which takes its
accessible name away (a screen reader, and Playwright, read it as a nameless button)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from sanhao.ballots.forms import SessionForm
from sanhao.checks.forms import SpotCheckForm


@pytest.mark.parametrize("form", [SpotCheckForm, SessionForm])
def test_the_title_of_a_spot_check_and_of_a_ballot_session_reads_as_a_title(form):
    with translation.override("zh-hans"):
        assert str(form.base_fields["title"].label) == "标题"


def test_the_list_of_ballot_sessions_heads_its_first_column_as_a_title(world):
    from django.urls import reverse

    client = world.client_for(world.office)
    page = client.get(reverse("ballots:list", args=[world.campaign.pk]))
    assert "<th>标题</th>" in page.content.decode()


def test_no_template_puts_a_button_inside_a_label():
    root = Path(__file__).resolve().parent.parent
    wrapped = re.compile(r"<label\b[^>]*>(?:(?!</label>).)*<button", re.S)
    found = [str(p.relative_to(root)) for p in root.glob("**/templates/**/*.html")
             if wrapped.search(p.read_text(encoding="utf-8"))]  # fmt: skip
    assert found == []
