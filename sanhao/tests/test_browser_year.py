"""One campaign year of the demo world, walked through its pages in a real Chromium.

The office opens the year, sets its scheme and moves it to process control; the months
before the walk's November are then written by the demo's own seeding, through the same
services the pages call (a year's worth of entries is not typed in a test). From there the
liaisons enter a month's actuals on the page and another unit's through the Excel
template, and a meeting with its attachment; the office records a spot check with a
shortfall and the liaison reports the remedy done; the year moves to the evaluation; a
judge scores on a phone; the office opens a ballot, issues codes and three voters vote
from them on phones; the office closes it, computes, reads the ranking, freezes,
deliberates, publishes the notice; a member of the public objects and the office handles
it; after the notice the office issues the decision and downloads its documents. From
November on nothing advances the story but the pages: the database is only read, to check.
The days pass by a time shift of django.utils.timezone, as in the awards journey.

Screenshots: artifacts/screenshots/year-NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sanhao.awards.tests.test_browser import _answer
from sanhao.ballots.tests.test_printing import contents
from sanhao.tests.test_browser import SCREENSHOTS, browser, sign_in

__all__ = ["browser"]  # the fixture, used by name
pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# A one-page PDF, enough for the attachment check (its content is read, not its name).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Walk:
    """The browser contexts of the walk, their console errors and numbered screenshots."""

    def __init__(self, browser: Any, site: str, world: Any) -> None:
        self.browser = browser
        self.site = site
        self.world = world  # the demo district the walk starts from
        self.errors: list[str] = []
        self.n = 0
        self.pages: list[Any] = []
        self.started = time.monotonic()

    def open(self, user: str | None, viewport: dict[str, int] = DESKTOP, **kwargs: Any) -> Any:
        context = self.browser.new_context(
            viewport=viewport, locale="zh-CN", accept_downloads=True, **kwargs
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on(
            "console",
            lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        self.pages.append(page)
        if user:
            sign_in(page, self.site, user)
        return page

    def failed(self) -> None:
        """Each page still open as it was when a step failed, for the one who reads CI's
        artifacts."""
        for k, page in enumerate(p for p in self.pages if not p.is_closed()):
            page.screenshot(path=SCREENSHOTS / f"year-failed-{k}.png", full_page=True)

    def shot(self, page: Any, step: str) -> None:
        self.n += 1
        print(f"{time.monotonic() - self.started:5.1f} s  {self.n:02d} {step}")
        # Nothing sticks out of the page: a wide table scrolls in its own box.
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{page.url} is {wide} px wider than the window"
        page.screenshot(path=SCREENSHOTS / f"year-{self.n:02d}-{step}.png", full_page=True)


def _codes_in(pdf: bytes) -> list[str]:
    """The voters' codes printed on the slips, as a person reads them off the paper."""
    text = b"".join(contents(pdf)).decode("latin-1")
    return re.findall(r"\(([A-Z0-9]{5}-[A-Z0-9]{5})\) Tj", text)


def _zip_download(page: Any, link: str, name: str, tmp_path: Path) -> bytes:
    with page.expect_download() as got:
        page.get_by_role("link", name=link).click()
    download = got.value
    assert download.suggested_filename == name
    target = tmp_path / name
    download.save_as(target)
    data = target.read_bytes()
    assert zipfile.is_zipfile(io.BytesIO(data)), name
    return data


@pytest.fixture
def world_site(transactional_db: Any, live_server: Any, settings: Any) -> tuple[str, Any]:
    """The demo district with no campaign year yet, served live."""
    from sanhao.demo.world import seed_world

    settings.DEBUG = True  # the demo accounts sign in only in development
    return str(live_server.url), seed_world()


def test_the_whole_year_in_a_browser(browser, world_site, monkeypatch, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("year-*.png"):
        old.unlink()
    started = time.monotonic()
    site, world = world_site
    walk = Walk(browser, site, world)
    try:
        _the_year(walk, monkeypatch, tmp_path)
    except BaseException:
        walk.failed()
        raise
    assert not walk.errors, walk.errors  # no CSP violation, no script error
    print(f"\nthe year's walk took {time.monotonic() - started:.1f} s")


def _the_year(walk: Walk, monkeypatch: Any, tmp_path: Path) -> None:
    import openpyxl
    from docx import Document
    from playwright.sync_api import expect

    from sanhao.awards.models import Award, Decision, Notice, Objection, Step
    from sanhao.ballots.models import Ballot, BallotSession
    from sanhao.campaigns.models import CampaignYear
    from sanhao.checks.models import RemedyUpdate
    from sanhao.demo.world import seed_year_so_far
    from sanhao.panels.models import PanelSession, State
    from sanhao.rankings.models import SchemeVersion, ScoreRun
    from sanhao.records.models import ProcessRecord, RecordAttachment
    from sanhao.targets.models import Figure

    demo_site = walk.site

    # 1. The office opens the year, sets its scheme in the editor and starts the year.
    office = walk.open("office")
    expect(office.get_by_text("尚未开启创争年度。")).to_be_visible()
    walk.shot(office, "no-year-yet")
    office.get_by_role("button", name="开启新年度").click()  # a link styled as a button
    office.get_by_role("spinbutton", name="年度").fill("2026")
    walk.shot(office, "open-the-year")
    office.get_by_role("button", name="开启年度").click()
    expect(office.get_by_text("已开启。下一步请设置本年度评价方案。")).to_be_visible()
    year = CampaignYear.objects.get()
    assert year.year == 2026 and year.phase == "plan"
    y = f"{demo_site}/years/{year.pk}"
    versions = SchemeVersion.objects.filter(year=year).count()
    office.get_by_role("link", name="各类别的评价标准").first.click()
    expect(office.get_by_role("heading", name="各类别的评价标准")).to_be_visible()
    description = office.locator('[name="dim-team-0-description"]')
    description.fill("把方向、管大局、作决策、保落实，带领班子和干部群众干事创业")
    office.get_by_role("button", name="检查并保存").click()
    expect(office.get_by_role("status").first).to_be_visible()
    assert SchemeVersion.objects.filter(year=year).count() == versions + 1
    office.goto(f"{y}/scheme/")
    expect(office.get_by_text("把方向、管大局、作决策、保落实").first).to_be_visible()
    walk.shot(office, "scheme-edited")
    office.goto(demo_site + "/")
    expect(office.get_by_role("heading", name="2026 年度三好创争")).to_be_visible()
    office.get_by_role("button", name="进入下一阶段：全程管控").click()
    expect(office.locator("section p strong").first).to_have_text("全程管控")
    walk.shot(office, "office-home")
    seed_year_so_far(CampaignYear.objects.get(), walk.world)  # January to October

    # 2. The liaison of 白米镇 enters November on the page ...
    liaison = walk.open("liaison-baimi")
    liaison.get_by_role("link", name="指标完成情况").click()
    expect(liaison.get_by_role("heading", name="白米镇 2026年指标完成情况")).to_be_visible()
    liaison.select_option("#month-pick", "11")
    liaison.get_by_role("button", name="显示").click()
    for label in ("开票销售", "到账外资", "工业投资"):
        liaison.get_by_label(f"{label}：截至11月末累计完成").fill("１,２３４.５")  # as typed
    liaison.get_by_role("button", name="保存数据").click()
    expect(liaison.get_by_role("status").first).to_contain_text("3")
    walk.shot(liaison, "actuals-on-the-page")
    assert Figure.objects.filter(unit__code="baimi", kind="actual", month=11).count() == 3

    # ... and records November's study session with its minutes as a PDF.
    liaison.goto(demo_site + "/")
    liaison.get_by_role("link", name="过程记录").click()
    form = liaison.locator("#record-form")
    form.get_by_label("记录类型").select_option(label="中心组月学")
    form.get_by_label("期次").fill("11")
    form.get_by_label("召开日期").fill("2026-11-18")
    form.get_by_label("主题").fill("11月学习贯彻党的二十届四中全会精神")
    form.get_by_role("button", name="保存记录").click()
    row = liaison.locator("tr", has_text="11月学习贯彻党的二十届四中全会精神")
    expect(row).to_be_visible()
    minutes = tmp_path / "11月中心组学习纪要.pdf"
    minutes.write_bytes(PDF)
    row.locator("input[type=file]").set_input_files(str(minutes))
    attach = row.get_by_role("button", name="上传附件")
    button, correct = attach.bounding_box(), row.get_by_role("link", name="更正").bounding_box()
    assert button["x"] + button["width"] <= correct["x"]  # the button stays in its cell
    attach.click()
    expect(liaison.get_by_text("已上传附件 11月中心组学习纪要.pdf。")).to_be_visible()
    expect(liaison.get_by_role("link", name="11月中心组学习纪要.pdf")).to_be_visible()
    walk.shot(liaison, "record-with-attachment")
    record = ProcessRecord.objects.get(unit__code="baimi", type="study", period=11)
    assert RecordAttachment.objects.filter(record=record).count() == 1

    # The liaison of 罗塘街道 fills the month's Excel template and imports it.
    other = walk.open("liaison-luotang")
    other.get_by_role("link", name="指标完成情况").click()
    other.select_option("#month-pick", "11")
    other.get_by_role("button", name="显示").click()
    with other.expect_download() as got:
        other.locator("#excel a[role=button]").click()
    template = tmp_path / "template.xlsx"
    got.value.save_as(template)
    book = openpyxl.load_workbook(template)
    sheet = book["月度实绩"]
    line = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "luotang")
    line[2].value, line[3].value, line[4].value = "２,３４５.６", "12.5万", 880
    book.save(template)
    other.select_option("#upload-month", "11")
    other.set_input_files("#upload-file", str(template))
    other.get_by_role("button", name="检查并导入").click()
    other.wait_for_url("**/figures/**")
    expect(other.locator("table.figures tbody tr").first).to_contain_text("2345.6")
    walk.shot(other, "actuals-from-excel")
    other.context.close()

    # 3. The office records a spot check with a shortfall and its remedy ...
    office.goto(demo_site + "/")
    office.get_by_role("link", name="点调会与补短").click()
    office.get_by_text("录入点调会").click()
    office.get_by_label("日期").fill("2026-11-25")
    office.get_by_label("标题").fill("11月重点指标点调会")
    office.get_by_label("开票销售").check()
    office.get_by_label("白米镇").check()
    office.get_by_label("会议纪要").fill("开票销售进度低于序时，要求专题研究。")
    office.get_by_role("button", name="保存").first.click()
    expect(office.get_by_text("已录入点调会。")).to_be_visible()
    check = office.locator("article", has_text="11月重点指标点调会")
    check.get_by_text("添加问题短板及补短举措").click()
    check.get_by_label("人员").select_option(index=1)
    check.get_by_label("问题短板弱项").fill("开票销售进度落后序时8个百分点")
    check.get_by_label("补短思路举措").fill("梳理重点企业开票计划，逐户对接")
    check.get_by_label("完成时限").fill("2026-12-20")
    check.get_by_role("button", name="保存").click()
    expect(office.get_by_text("已录入问题短板和补短举措。")).to_be_visible()
    walk.shot(office, "spot-check")

    # ... and the liaison reports it done, with the evidence.
    liaison.goto(demo_site + "/")
    liaison.get_by_role("link", name="点调会与补短").click()
    shortfall = liaison.locator("tr", has_text="开票销售进度落后序时8个百分点")
    shortfall.get_by_label("状态").select_option(label="已完成")
    shortfall.get_by_label("佐证或进展说明").fill("已走访企业12家，11月开票环比增长15%")
    shortfall.get_by_role("button", name="报送").click()
    expect(liaison.get_by_text("已更新补短举措。")).to_be_visible()
    walk.shot(liaison, "remedy-done")
    assert RemedyUpdate.objects.filter(note__startswith="已走访企业12家").exists()
    liaison.context.close()

    # 4. The year moves to the evaluation; judge1 scores on a phone.
    office.goto(demo_site + "/")
    office.get_by_role("button", name="进入下一阶段：考量比选").click()
    expect(office.locator("section p strong").first).to_have_text("考量比选")
    walk.shot(office, "evaluation")
    panel = PanelSession.objects.get(state=State.OPEN)
    judge = walk.open("judge1", PHONE, is_mobile=True, has_touch=True)
    judge.get_by_role("link", name=panel.title).first.click()
    inputs = judge.locator("form.sheet input[type=number]:enabled")
    count = inputs.count()
    assert count > 0 and count % 4 == 0
    for k in range(count):
        inputs.nth(k).fill(str(18 + k % 7))
    inputs.nth(count - 1).press("Tab")
    expect(judge.locator("#filled")).to_have_text(f"已填 {count} / {count} 项", timeout=10_000)
    walk.shot(judge, "judge-scores-phone")
    judge.get_by_role("button", name="检查并提交").click()
    judge.get_by_role("button", name="提交评分表").click()
    expect(judge.get_by_text("评分表已提交，谢谢。")).to_be_visible()
    walk.shot(judge, "judge-submitted-phone")
    judge.context.close()
    office.goto(demo_site + "/")
    office.get_by_role("link", name="述职评分场次（述比排序）").click()
    office.get_by_role("link", name=panel.title).click()
    office.get_by_role("button", name="结束本场并显示结果").click()
    expect(office.get_by_role("heading", name=f"{panel.title}结果")).to_be_visible()

    # 5. A ballot of the district's cadres on the good leaders: three codes, three voters.
    office.goto(demo_site + "/")
    office.get_by_role("link", name="民主测评（测评日）").click()
    office.get_by_role("button", name="新建测评场次").click()
    office.get_by_label("标题").fill("好班长民主测评（两代表一委员及群众）")
    office.get_by_label("各镇街同一类别的测评对象").check()
    office.get_by_role("combobox", name=re.compile("^类别")).select_option(label="好班长")
    office.get_by_label("两代表一委员及群众：应参加人数").fill("3")
    office.get_by_role("button", name="创建测评场次").click()
    session = BallotSession.objects.get(title="好班长民主测评（两代表一委员及群众）")
    office.get_by_label("投票码数量").fill("3")
    office.get_by_role("button", name="生成投票码").click()
    with office.expect_download() as got:
        office.get_by_role("button", name="下载投票码条（仅一次）").click()
    codes = _codes_in(Path(got.value.path()).read_bytes())
    assert len(codes) == 3
    office.get_by_role("button", name="开始测评").click()
    walk.shot(office, "ballot-open")
    for n, code in enumerate(codes):
        voter = walk.open(None, PHONE, is_mobile=True, has_touch=True)
        voter.goto(f"{demo_site}/vote/")
        voter.get_by_label("投票码").fill(code)
        voter.get_by_role("button", name="打开选票").click()
        boxes = voter.locator("fieldset.candidate")
        for box in boxes.all():
            box.get_by_label("称职", exact=True).check()
        boxes.nth(n).get_by_label("优秀", exact=True).check()
        if n == 0:
            walk.shot(voter, "vote-phone")
        voter.get_by_role("button", name="提交选票").click()
        expect(voter.locator("#receipt")).to_be_visible()
        if n == 0:
            walk.shot(voter, "vote-receipt-phone")
        voter.context.close()
    assert Ballot.objects.filter(session=session).count() == 3
    office.reload()
    office.get_by_role("button", name="结束并封存").click()
    expect(office.get_by_role("heading", name="统计结果")).to_be_visible()
    walk.shot(office, "ballot-sealed")

    # 6. The scores, the ranking, the freeze, the deliberation, the notice, an objection.
    office.goto(demo_site + "/")
    office.get_by_role("link", name="各镇街量化计分（K）").click()
    office.get_by_role("button", name="立即重新计分").click()
    expect(office.get_by_text("已完成计分")).to_be_visible()
    run = ScoreRun.objects.latest("pk")
    office.get_by_role("link", name="好班长").first.click()
    expect(office.get_by_role("heading", name="这个排名有多可靠？")).to_be_visible()
    expect(office.locator("tr.quota-line")).to_have_count(1)
    walk.shot(office, "ranking-leaders")
    office.goto(demo_site + "/")
    office.get_by_role("link", name="评选表彰：冻结、研究论证、公示、表彰决定").click()
    office.get_by_role("button", name="冻结这次计分结果").click()
    expect(office.get_by_role("heading", name=re.compile("快照 [0-9a-f]{12}"))).to_be_visible()
    office.locator("a", has_text="在此快照上记录研究论证").first.click()
    teams = office.locator("table").first
    fourth, fifth = teams.locator("tbody tr").nth(3), teams.locator("tbody tr").nth(4)
    fifth_name = fifth.locator("td").nth(1).inner_text()
    office.get_by_label("参会人员").fill("部长、分管副部长、干部科")
    office.get_by_label("议题").fill("研究2026年度“三好创争”拟表彰名单")
    fourth.locator("select").select_option("remove")
    fourth.locator("input[type=text]").fill("公示前核查发现信访问题，暂缓推荐")
    fifth.locator("input[type=checkbox]").check()
    fifth.locator("input[type=text]").fill("实绩突出，递补")
    walk.shot(office, "deliberation")
    office.get_by_role("button", name="记录研究论证及拟表彰名单").click()
    expect(office.get_by_text("研究论证及拟表彰名单已记录。")).to_be_visible()
    office.locator("a", has_text="公示该名单").first.click()
    office.get_by_role("button", name="发布公示").click()
    expect(office.get_by_text("公示已发布")).to_be_visible()
    notice = Notice.objects.get()
    assert notice.deliberation.snapshot.run_id == run.pk

    public = walk.open(None, PHONE, is_mobile=True, has_touch=True)
    public.goto(f"{demo_site}/gongshi/")
    public.get_by_role("link", name=notice.title).click()
    expect(public.get_by_role("heading", name=notice.title)).to_be_visible()
    expect(public.get_by_text("公示中")).to_be_visible()
    expect(public.get_by_text(fifth_name.removesuffix("班子")).first).to_be_visible()
    walk.shot(public, "notice-public-phone")
    public.locator("a", has_text="在线反映").click()
    public.get_by_label("真实姓名").fill("王建国")
    public.get_by_label("联系电话").fill("13912345678")
    public.get_by_label("反映内容").fill("反映该班子年中一项目进度数据存疑，请核实。")
    question = public.locator("legend").filter(has_text="验证问题").inner_text()
    public.get_by_label("答案（填数字）").fill(_answer(question))
    public.get_by_role("button", name="提交反映").click()
    expect(public.get_by_role("heading", name="反映已收到")).to_be_visible()
    walk.shot(public, "objection-phone")
    public.context.close()

    office.goto(f"{y}/awards/notices/{notice.pk}/")
    office.get_by_role("link", name="办理异议").click()
    office.locator("table a").first.click()
    office.get_by_label("备注").fill("已约谈镇街，调阅台账")
    office.get_by_role("button", name="开始核实").click()
    office.get_by_label("备注").fill("经核实，数据有据可查，反映不属实")
    office.get_by_role("button", name="结论：不属实").click()
    expect(office.get_by_text("经核实，数据有据可查，反映不属实")).to_be_visible()
    walk.shot(office, "objection-handled")
    assert Objection.objects.get().steps.filter(step=Step.NOT_UPHELD).exists()

    # 7. After the notice: the decision and its documents.
    after = notice.ends + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: after)
    office.goto(f"{y}/awards/notices/{notice.pk}/")
    office.locator("a", has_text="印发表彰决定").first.click()
    office.get_by_label("发文字号").fill("姜组发〔2026〕12号")
    office.get_by_role("button", name="印发决定").click()
    expect(office.get_by_text("表彰决定 姜组发〔2026〕12号 已印发。")).to_be_visible()
    walk.shot(office, "decision")
    decision = _zip_download(office, "表彰决定（Word 文档 .docx）", "表彰决定-2026.docx", tmp_path)
    text = "\n".join(p.text for p in Document(io.BytesIO(decision)).paragraphs)
    assert "姜组发〔2026〕12号" in text
    listing = _zip_download(office, "表彰名单（Excel .xlsx）", "表彰名单-2026.xlsx", tmp_path)
    cells = " ".join(
        str(c.value)
        for ws in openpyxl.load_workbook(io.BytesIO(listing)).worksheets
        for r in ws.iter_rows()
        for c in r
    )
    assert fifth_name.split("（")[0] in cells
    _zip_download(office, "公示（Word 文档 .docx）", "公示-2026.docx", tmp_path)
    assert Decision.objects.count() == 1 and Award.objects.count() == 4 + 4 + 18
    office.goto(demo_site + "/")
    expect(office.locator("section p strong").first).to_have_text("表彰决定")
    walk.shot(office, "decided")
    office.context.close()
