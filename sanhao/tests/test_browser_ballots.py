"""Evaluation day's ballot in a real Chromium at a phone's size (390×844): a voter scans a
slip (the code in the address's fragment), grades, is stopped by the top-grade rule,
submits, and checks the receipt; another votes with JavaScript off, as a plain form."""

from __future__ import annotations

from typing import Any

import pytest

from sanhao.ballots.codes import shown
from sanhao.ballots.models import Ballot, BallotSession
from sanhao.demo import world
from sanhao.tests.test_browser import SCREENSHOTS, browser, demo_site, sign_in

__all__ = ["browser", "demo_site"]  # the fixtures, shared with the other journeys
pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _open_session() -> BallotSession:
    return BallotSession.objects.get(state="open")


def _grade_all(page: Any, grade: str) -> None:
    for fieldset in page.locator("fieldset.candidate").all():
        fieldset.get_by_label(grade, exact=True).check()


def test_a_voter_scans_a_slip_grades_and_gets_a_receipt(browser: Any, demo_site: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session = _open_session()
    before = Ballot.objects.filter(session=session).count()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{demo_site}/vote/{session.pk}/#{world.VOTER_CODE}")
    page.wait_for_selector("#ballot-form")
    assert "#" not in page.url  # the fragment is gone from the address
    assert not any(world.VOTER_CODE in url for url in requests)  # and never reached the server
    assert page.get_by_role("heading", name=session.title).is_visible()
    _grade_all(page, "称职")
    boxes = page.locator("fieldset.candidate")
    limit = session.rules["limits"]["leader"]
    for k in range(limit + 1):  # one 优秀 too many
        boxes.nth(k).get_by_label("优秀", exact=True).check()
    warning = page.locator("#rule-warning")
    assert warning.is_visible() and "请减少" in warning.inner_text()
    page.screenshot(path=SCREENSHOTS / "vote-too-many-phone.png", full_page=True)
    page.get_by_role("button", name="提交选票").click()
    assert page.locator("#ballot-form").is_visible()  # held back, nothing sent
    assert Ballot.objects.filter(session=session).count() == before
    boxes.nth(limit).get_by_label("不了解", exact=True).check()
    assert warning.is_hidden()
    page.screenshot(path=SCREENSHOTS / "vote-ballot-phone.png", full_page=True)
    page.get_by_role("button", name="提交选票").click()
    page.wait_for_selector("#receipt")
    receipt = page.locator("#receipt").inner_text()
    assert Ballot.objects.filter(session=session).count() == before + 1
    page.screenshot(path=SCREENSHOTS / "vote-receipt-phone.png", full_page=True)
    page.get_by_role("link", name="查验回执").click()
    page.get_by_label("回执").fill(receipt.lower())
    page.get_by_role("button", name="查验").click()
    assert "已收到" in page.get_by_role("status").inner_text()
    assert errors == []  # no CSP violation, no script error
    page.goto(f"{demo_site}/vote/{session.pk}/#{world.VOTER_CODE}")  # the same slip again
    assert "已经使用过" in page.get_by_role("alert").inner_text()  # answered 400
    context.close()


def test_a_voter_votes_with_javascript_off(browser: Any, demo_site: str) -> None:
    from sanhao.ballots.demo import demo_code

    session = _open_session()
    code = demo_code()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo_site}/vote/")
    page.get_by_label("投票码").fill(shown(code))
    page.get_by_role("button", name="打开选票").click()
    _grade_all(page, "称职")
    page.get_by_role("button", name="提交选票").click()
    assert page.locator("#receipt").is_visible()
    assert Ballot.objects.filter(session=session).count() == 5  # 4 in the demo, this one
    context.close()


def test_the_office_watches_turnout_and_closes_the_session(browser: Any, demo_site: str) -> None:
    session = _open_session()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, demo_site, "office")
    page.goto(f"{demo_site}/years/{session.year_id}/ballots/{session.pk}/turnout/")
    assert "应参加 12 人，已投票 4 人" in page.locator("#turnout").inner_text()
    page.screenshot(path=SCREENSHOTS / "ballot-turnout.png", full_page=True)
    page.goto(f"{demo_site}/years/{session.year_id}/ballots/{session.pk}/")
    page.get_by_role("button", name="结束并封存").click()
    assert (
        "测评已结束并封存" in page.get_by_role("status").first.inner_text()
        or page.get_by_text("测评已结束并封存").first.is_visible()
    )
    assert page.get_by_role("heading", name="统计结果").is_visible()
    page.screenshot(path=SCREENSHOTS / "ballot-count.png", full_page=True)
    context.close()
