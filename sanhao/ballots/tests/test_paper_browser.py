"""Keying a paper ballot from the keyboard, in a real Chromium (see sanhao/tests/test_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.ballots import paper
from sanhao.ballots.models import Ballot, PaperEntry
from sanhao.ballots.tests.conftest import make_session
from sanhao.conftest import PASSWORD
from sanhao.tests.test_browser import SCREENSHOTS, browser  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def signed_in(browser: Any, site: str, user: Any) -> Any:  # noqa: F811
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    return context.new_page()


def test_a_clerk_keys_a_sheet_with_digits(
    browser: Any,  # noqa: F811
    transactional_db: Any,
    live_server: Any,
    world: Any,
) -> None:
    opened = make_session(world, category="leader")
    session = opened.session
    paper.issue_forms(session, opened.group, 3, actor=world.office)
    page = signed_in(browser, live_server.url, world.office)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    url = reverse("ballots:paper_entry", args=[session.year_id, session.pk])
    page.goto(f"{live_server.url}{url}")
    page.locator("#serial").fill(f"S{session.pk}-0002")
    page.keyboard.press("Enter")  # to the first row, not a submission
    page.keyboard.press("2")  # 称职 for the first candidate, then the next row
    page.keyboard.press("1")  # 优秀 for the second
    assert page.evaluate("document.activeElement.id") == "save-entry"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "paper-entry.png", full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{url}?round=1")
    assert "待另一遍录入" in page.content()
    entry = PaperEntry.objects.get()
    cands = list(session.candidates.all())
    assert entry.grades == {cands[0].candidate: "称职", cands[1].candidate: "优秀"}
    other = create_account(username="clerk2", password=PASSWORD, role=AccountRole.OFFICE,
                           actor=world.office)  # fmt: skip
    paper.key_entry(session, serial="2", round=2, grades=entry.grades, spoiled=False,
                    clerk=other)  # fmt: skip
    assert Ballot.objects.filter(paper=True).count() == 1
    paper.key_entry(session, serial="3", round=1, grades=entry.grades, spoiled=False,
                    clerk=world.office)  # fmt: skip
    paper.key_entry(session, serial="3", round=2, spoiled=False, clerk=other,
                    grades=dict.fromkeys(entry.grades, "不称职"))  # fmt: skip
    page.goto(
        f"{live_server.url}{reverse('ballots:paper_reconcile', args=[session.year_id, session.pk])}"
    )
    assert "两遍录入不一致" in page.content() and "不称职" in page.content()
    page.screenshot(path=SCREENSHOTS / "paper-reconcile.png", full_page=True)
    page.goto(f"{live_server.url}{reverse('ballots:detail', args=[session.year_id, session.pk])}")
    page.locator("#paper").screenshot(path=SCREENSHOTS / "paper-section.png")
    assert errors == []
