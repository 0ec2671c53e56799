"""The ranking in a real Chromium: the office reads the demo's team ranking with its
statistics, tries a what-if through htmx (nothing saved) and opens a candidate's
breakdown. Screenshots go to artifacts/screenshots/ranking-*.png."""

from __future__ import annotations

import pytest

from sanhao.tests.test_browser import SCREENSHOTS, browser, demo_site, sign_in

__all__ = ["browser", "demo_site"]  # the fixtures, used by name
pytestmark = pytest.mark.browser


def test_the_office_reads_the_ranking_tries_a_whatif_and_opens_a_breakdown(browser, demo_site):
    from playwright.sync_api import expect

    from sanhao.audit.models import AuditEntry
    from sanhao.campaigns.models import CampaignYear
    from sanhao.rankings.models import ScoreRun

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    year = CampaignYear.objects.get()
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "office")
    page.goto(f"{demo_site}/years/{year.pk}/scores/")
    page.get_by_role("link", name="好班子").first.click()
    expect(page.get_by_role("heading", name="这个排名有多可靠？")).to_be_visible()
    expect(page.locator("tr.quota-line")).to_have_count(1)
    page.screenshot(path=SCREENSHOTS / "ranking-teams.png", full_page=True)

    before = (ScoreRun.objects.count(), AuditEntry.objects.count())
    page.get_by_label("K 的权重").fill("0.3")
    page.get_by_label("P 的权重").fill("0.35")
    page.get_by_label("M 的权重").fill("0.35")
    page.get_by_role("button", name="查看新规则下的排名").click()
    expect(page.locator("table.whatif-result")).to_be_visible()
    expect(page.get_by_role("heading", name="这个排名有多可靠？")).to_have_count(1)  # swapped in
    page.locator("#whatif").screenshot(path=SCREENSHOTS / "ranking-whatif.png")
    assert (ScoreRun.objects.count(), AuditEntry.objects.count()) == before

    page.get_by_label("K 的权重").fill("0.5")  # the weights no longer add up to 1
    page.get_by_role("button", name="查看新规则下的排名").click()
    expect(page.locator("#whatif .errorlist").first).to_contain_text("三项权重之和应恰好为 1")

    page.locator("table.ranking a").first.click()
    expect(page.get_by_role("heading", name="为什么是这个名次")).to_be_visible()
    expect(page.locator("#s code")).to_contain_text("0.4×")
    page.screenshot(path=SCREENSHOTS / "ranking-candidate.png", full_page=True)
    assert errors == []
    context.close()
