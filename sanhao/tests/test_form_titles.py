"""A spot check's and a ballot session's title is a document's title (标题), not a post's
(职务): the plain msgid "title" is the post's. Found walking the year in a browser."""

from __future__ import annotations

import pytest
from django.utils import translation

from sanhao.ballots.forms import SessionForm
from sanhao.checks.forms import SpotCheckForm


@pytest.mark.parametrize("form", [SpotCheckForm, SessionForm])
def test_the_title_of_a_spot_check_and_of_a_ballot_session_reads_as_a_title(form):
    with translation.override("zh-hans"):
        assert str(form.base_fields["title"].label) == "标题"
