"""The journeys people take, in a real Chromium (Debian's), driven by Playwright.

Without Chromium on a developer's machine these tests skip and say so; under CI
(CI=true) a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sanhao.demo.world import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "artifacts" / "screenshots"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # test itself are still synchronous and safe.
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # numba's loops ready before a page waits on the statistics: on a clean checkout they
    # compile (seconds, more on a busy machine) as the units' ExecStartPre does in deployment
    from sanhao.scoring import kernels

    kernels.warm()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )  # fmt: skip
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def demo_site(transactional_db: Any, live_server: Any, settings: Any) -> str:
    settings.DEBUG = True  # the demo accounts sign in only in development
    call_command("seed_demo", verbosity=0)
    return str(live_server.url)


def sign_in(page: Any, site: str, username: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{site}/")


@pytest.mark.parametrize(
    ("viewport", "name"),
    [({"width": 1280, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "phone")],
)
def test_it_shows_the_office_the_13_units(browser, demo_site, viewport, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "office")
    assert page.get_by_text("当前阶段：").is_visible()
    page.screenshot(path=SCREENSHOTS / f"home-{name}.png", full_page=True)
    page.get_by_role("link", name="镇街", exact=True).first.click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 13
    for unit in ("白米镇", "罗塘街道", "天目山街道", "兴泰镇"):
        assert page.get_by_role("link", name=unit).is_visible()
    page.screenshot(path=SCREENSHOTS / f"units-{name}.png", full_page=True)
    page.get_by_role("link", name="白米镇").click()
    assert page.get_by_role("heading", name="现任班子").is_visible()
    page.screenshot(path=SCREENSHOTS / f"unit-{name}.png", full_page=True)
    assert errors == []  # no CSP violation, no missing script
    context.close()


def test_it_shows_a_liaison_only_their_unit(browser, demo_site):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, demo_site, "liaison-sanshui")
    assert page.get_by_role("heading", name="本镇街").is_visible()
    assert page.get_by_role("link", name="三水街道").is_visible()
    assert page.get_by_text("白米镇").count() == 0
    response = page.goto(f"{demo_site}/units/baimi/")
    assert response is not None and response.status == 404
    context.close()


def test_it_lets_the_office_import_a_roster_and_read_what_is_wrong(browser, demo_site, tmp_path):
    from sanhao.orgs.tests.test_roster_import import workbook

    bad = tmp_path / "名册-有误.xlsx"
    bad.write_bytes(workbook(people=[["P1", "", "男", "2021-13", None, None]], posts=[]))
    good = tmp_path / "名册.xlsx"
    good.write_bytes(workbook())
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, demo_site, "office")
    page.get_by_role("link", name="名册导入").click()
    page.get_by_label("名册文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="检查并导入").click()
    alert = page.get_by_role("alert")
    assert "发现 2 个问题，未保存任何数据" in alert.inner_text()
    assert "“人员”表第 2 行 B（姓名）列：不能为空" in alert.inner_text()
    page.screenshot(path=SCREENSHOTS / "roster-errors-phone.png", full_page=True)
    page.get_by_label("名册文件（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="检查并导入").click()
    assert "导入成功" in page.get_by_role("status").first.inner_text()
    page.goto(f"{demo_site}/units/")
    assert page.get_by_role("link", name="花镇").is_visible()
    context.close()


@pytest.mark.parametrize(
    ("viewport", "name"),
    [({"width": 1280, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "phone")],
)
def test_a_liaison_enters_a_months_actuals_and_the_units_k_moves(
    browser, demo_site, viewport, name
):
    """Issue 7's journey: the liaison of 白米镇 enters November; the office recomputes; the
    unit's figures and K change."""
    from sanhao.rankings.models import ScoreLine

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = ScoreLine.objects.filter(unit="baimi", candidate="").order_by("-run_id").first()
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "liaison-baimi")
    page.get_by_role("link", name="指标完成情况").click()
    assert page.get_by_role("heading", name="白米镇 2026年指标完成情况").is_visible()
    page.select_option("#month-pick", "11")
    page.get_by_role("button", name="显示").click()
    for label in ("开票销售", "到账外资", "工业投资"):
        page.get_by_label(f"{label}：截至11月末累计完成").fill("１,２３４.５")  # as clerks type
    page.get_by_role("button", name="保存数据").click()
    assert "3" in page.get_by_role("status").first.inner_text()
    page.screenshot(path=SCREENSHOTS / f"figures-{name}.png", full_page=True)
    context.close()

    office = browser.new_context(viewport=viewport, locale="zh-CN")
    page = office.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "office")
    page.goto(f"{demo_site}/years/{before.run.year_id}/scores/")
    page.get_by_role("button", name="立即重新计分").click()
    assert "已完成计分" in page.get_by_role("status").first.inner_text()
    page.goto(f"{demo_site}/units/baimi/")
    page.locator("summary").first.click()
    assert page.get_by_text("1234.5").first.is_visible()
    after = ScoreLine.objects.filter(unit="baimi", candidate="").order_by("-run_id").first()
    assert after.run_id != before.run_id and after.k > before.k
    assert page.get_by_text(f"本镇街 K：{after.k}").is_visible()
    page.screenshot(path=SCREENSHOTS / f"unit-k-{name}.png", full_page=True)
    assert errors == []
    office.close()


@pytest.mark.parametrize(
    ("viewport", "name"),
    [({"width": 1280, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "phone")],
)
def test_the_office_reads_the_years_record_and_every_k_opens(browser, demo_site, viewport, name):
    """Issue 7's office side: the compliance grid, the overdue remedies, the district table of
    the indicators, the scores with each K's breakdown; the liaison's chart and pledges."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "office")
    page.get_by_role("link", name="过程记录").click()
    assert page.locator("table").first.is_visible()
    assert page.get_by_text("缺").count() > 0  # the demo's missing months show
    page.screenshot(path=SCREENSHOTS / f"records-grid-{name}.png", full_page=True)
    page.go_back()
    page.get_by_role("link", name="点调会与补短").click()
    page.get_by_role("link", name="逾期未完成的补短举措").first.click()
    assert page.get_by_text("逾期").count() > 0
    page.screenshot(path=SCREENSHOTS / f"overdue-{name}.png", full_page=True)
    page.goto(demo_site + "/")
    page.get_by_role("link", name="指标完成情况").click()
    assert page.get_by_text("白米镇").first.is_visible()
    page.screenshot(path=SCREENSHOTS / f"district-figures-{name}.png", full_page=True)
    page.goto(demo_site + "/")
    page.get_by_role("link", name="各镇街量化计分（K）").click()
    page.locator("details.k summary").first.click()
    assert page.locator("details.k table.breakdown").first.is_visible()
    page.screenshot(path=SCREENSHOTS / f"scores-{name}.png", full_page=True)
    context.close()

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "liaison-baimi")
    page.get_by_role("link", name="指标完成情况").click()
    page.wait_for_selector("[data-chart-source][data-drawn='3']")
    assert page.locator(".charts .chart svg").count() == 3
    page.screenshot(path=SCREENSHOTS / f"figures-chart-{name}.png", full_page=True)
    page.goto(demo_site + "/")
    page.get_by_role("link", name="晒目标·比担当").click()
    page.locator("#pledge-form textarea").fill("年内新招引亿元项目 2 个")
    page.get_by_role("button", name="公开", exact=True).click()
    assert page.locator("article.pledge > p", has_text="年内新招引亿元项目 2 个").is_visible()
    page.screenshot(path=SCREENSHOTS / f"pledges-{name}.png", full_page=True)
    context.close()
    assert errors == []


@pytest.mark.parametrize(
    ("viewport", "name"),
    [({"width": 1280, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "phone")],
)
def test_a_liaison_imports_a_months_actuals_from_excel(
    browser, demo_site, viewport, name, tmp_path
):
    """The Excel path of issue 7: a hostile file is refused with its message and nothing is
    saved; the month's template, filled as clerks fill it, imports and the completion moves."""
    import openpyxl

    from sanhao.targets.models import Figure

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "liaison-baimi")
    page.get_by_role("link", name="指标完成情况").click()
    page.select_option("#month-pick", "11")
    page.get_by_role("button", name="显示").click()
    before = page.locator("table.figures tbody tr").first.inner_text()
    count = Figure.objects.count()

    fake = tmp_path / "十一月实绩.xlsx"
    fake.write_text("单位代码,开票销售\nbaimi,1234\n", encoding="utf-8")  # a CSV renamed .xlsx
    page.select_option("#upload-month", "11")
    page.set_input_files("#upload-file", str(fake))
    page.get_by_role("button", name="检查并导入").click()
    assert page.get_by_text("CSV").first.is_visible()
    assert Figure.objects.count() == count
    page.screenshot(path=SCREENSHOTS / f"actuals-refused-{name}.png", full_page=True)

    page.go_back()
    with page.expect_download() as download:
        page.locator("#excel a[role=button]").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    book = openpyxl.load_workbook(template)
    sheet = book["月度实绩"]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "baimi")
    row[2].value = "２,３４５.６"  # full-width digits with a thousands separator, as text
    row[3].value = "—"  # not reported: left as it was
    row[4].value = 1500
    book.save(template)
    page.set_input_files("#upload-file", str(template))
    page.select_option("#upload-month", "11")
    page.get_by_role("button", name="检查并导入").click()
    page.wait_for_url("**/figures/**")
    after = page.locator("table.figures tbody tr").first.inner_text()
    assert "2345.6" in after and after != before
    sales = Figure.objects.filter(unit__code="baimi", indicator="sales", kind="actual", month=11)
    assert str(sales.order_by("-id").first().value.normalize()) == "2345.6"
    page.screenshot(path=SCREENSHOTS / f"actuals-imported-{name}.png", full_page=True)
    context.close()
    assert errors == []
