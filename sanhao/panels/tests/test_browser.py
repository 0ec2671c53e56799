"""Evaluation day in a real Chromium: judge1 scores the demo's open session on a phone
(390×844), the draft autosaves, the sheet is reviewed and submitted; the office follows
the progress, closes the session and reads P and Kendall's W. Screenshots go to
artifacts/screenshots/panel-*.png. The fixtures are the shared browser tests'."""

from __future__ import annotations

import re

import pytest

from sanhao.tests.test_browser import SCREENSHOTS, browser, demo_site, sign_in

__all__ = ["browser", "demo_site"]  # the fixtures, used by name
pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_judge1_scores_on_a_phone_and_the_office_closes_with_p_and_w(browser, demo_site):
    from playwright.sync_api import expect

    from sanhao.panels.models import PanelSession, SheetDraft, State
    from sanhao.panels.pages import session_results

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session = PanelSession.objects.get(state=State.OPEN)
    errors: list[str] = []
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "judge1")
    page.get_by_role("link", name=session.title).click()
    expect(page.get_by_role("heading", name=session.title)).to_be_visible()
    first = page.locator("article.candidate").first
    expect(first.locator("mark.now")).to_have_text("正在述职")  # who reports is first
    expect(page.locator("article.candidate.abstain").first).to_contain_text("回避")
    page.screenshot(path=SCREENSHOTS / "panel-sheet-empty.png", full_page=False)

    inputs = page.locator("form.sheet input[type=number]:enabled")
    count = inputs.count()
    assert count > 0 and count % 4 == 0
    box = inputs.first.bounding_box()
    assert box is not None and box["height"] >= 44  # a finger's target
    # The first scores, then a pause: the draft saves itself (htmx), no button pressed.
    for k, value in enumerate(["22", "21.5", "23", "20"]):
        inputs.nth(k).fill(value)
    expect(page.locator("#autosave")).to_contain_text("草稿已保存", timeout=10_000)
    expect(first.locator("output")).to_have_text("86.5")
    draft = SheetDraft.objects.get(session=session, judge__username="judge1")
    assert list(draft.cells.values()) == [["22", "21.5", "23", "20"]]
    page.screenshot(path=SCREENSHOTS / "panel-autosaved.png", full_page=False)
    for k in range(4, count):
        inputs.nth(k).fill(str(15 + (k * 7) % 10 + (0.5 if k % 3 else 0)))
    inputs.nth(count - 1).press("Tab")  # change: the last cell saves too
    expect(page.locator("#filled")).to_have_text(f"已填 {count} / {count} 项", timeout=10_000)
    page.screenshot(path=SCREENSHOTS / "panel-sheet-filled.png", full_page=True)

    page.get_by_role("button", name="检查并提交").click()
    expect(page.get_by_role("heading", name="检查我的评分表")).to_be_visible()
    expect(page.get_by_text("将被视为无效")).to_have_count(0)
    page.screenshot(path=SCREENSHOTS / "panel-review.png", full_page=True)
    page.get_by_role("button", name="提交评分表").click()
    expect(page.get_by_text("评分表已提交，谢谢。")).to_be_visible()
    expect(page.get_by_text("您的评分表已提交并锁定。")).to_be_visible()
    assert page.locator("form.sheet input[type=number]:enabled").count() == 0
    page.screenshot(path=SCREENSHOTS / "panel-submitted.png", full_page=False)
    context.close()

    office = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = office.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "office")
    page.get_by_role("link", name="述职评分场次（述比排序）").click()
    page.get_by_role("link", name=session.title).click()
    progress = page.locator("#progress")
    expect(progress).to_contain_text("7 位评委中已有 7 位提交")
    assert not re.search(r"\b8\d\.\d\b", progress.inner_text())  # no total shows before the close
    page.screenshot(path=SCREENSHOTS / "panel-progress.png", full_page=True)
    page.get_by_role("button", name="结束本场并显示结果").click()
    expect(page.get_by_role("heading", name=f"{session.title}结果")).to_be_visible()
    shown = session_results(PanelSession.objects.get(pk=session.pk))
    best = shown["result"].candidates[0]
    row = page.locator("table.results tbody tr").first
    expect(row).to_contain_text(best.name)
    expect(row.locator("td.p")).to_have_text(str(best.p))
    expect(page.get_by_text(f"W = {shown['w']}")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "panel-results.png", full_page=True)
    office.close()
    assert errors == []
