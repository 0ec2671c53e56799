"""The leaderboard in a real Chromium: the office reads the board on a phone (390×844),
the big screen runs on a projector (1920×1080) without an account; the charts draw on
their canvases. Screenshots go to artifacts/screenshots/leaderboard-*.png. The fixtures
are the shared browser tests'."""

from __future__ import annotations

import pytest

from sanhao.tests.test_browser import SCREENSHOTS, browser, demo_site, sign_in

__all__ = ["browser", "demo_site"]  # the fixtures, used by name
pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}

# How many pixels of a chart's canvas are painted: an empty chart paints none.
PAINTED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
  return n;
}"""


def _charts_drawn(page, count: int, fresh: bool = False) -> None:
    from playwright.sync_api import expect

    boxes = page.locator("[data-chart][data-drawn=true]" + (":not([data-old])" if fresh else ""))
    expect(boxes).to_have_count(count, timeout=10_000)
    for k in range(count):
        canvas = boxes.nth(k).locator("canvas").first
        expect(canvas).to_be_visible()
        assert canvas.evaluate(PAINTED) > 500, boxes.nth(k).get_attribute("data-chart")


def test_the_office_reads_the_board_on_a_phone_and_the_hall_sees_the_screen(browser, demo_site):
    from playwright.sync_api import expect

    from sanhao.campaigns.models import CampaignYear

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    year = CampaignYear.objects.get()
    errors: list[str] = []
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "office")
    page.get_by_role("link", name="擂台：目标、序时进度、排名、表彰").click()
    expect(page.get_by_role("heading", name=f"{year.year} 年度擂台")).to_be_visible()
    _charts_drawn(page, 3)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, "the page scrolls sideways on a phone"
    page.get_by_text("图表数据").first.click()
    expect(page.locator("#pace-table")).to_contain_text("白米镇")
    page.screenshot(path=SCREENSHOTS / "leaderboard-board-phone.png", full_page=True)
    context.close()

    hall = browser.new_context(viewport=PROJECTOR, locale="zh-CN")
    screen = hall.new_page()
    screen.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = screen.goto(f"{demo_site}/leaderboard/{year.pk}/screen/")
    assert response is not None and response.status == 200 and "/login/" not in screen.url
    expect(screen.get_by_role("heading", name=f"{year.year} 年度三好创争擂台")).to_be_visible()
    _charts_drawn(screen, 2)
    expect(screen.locator("#screen-table tbody tr")).to_have_count(13)
    assert hall.cookies() == []
    screen.screenshot(path=SCREENSHOTS / "leaderboard-screen-1920.png", full_page=False)
    # htmx's refresh swaps the live part and the charts draw again.
    screen.evaluate("document.querySelectorAll('[data-chart]').forEach(b => b.dataset.old = '1')")
    screen.evaluate(
        "htmx.ajax('GET', location.pathname, {target: '#screen-live', swap: 'outerHTML'})"
    )
    _charts_drawn(screen, 2, fresh=True)
    hall.close()
    assert errors == []  # no CSP violation, no missing script
