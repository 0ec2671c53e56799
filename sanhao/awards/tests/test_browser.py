"""From the scores to the awards in a real Chromium, on the demo world: the office moves the
year to the evaluation and computes, reads the ranking and a candidate's breakdown, tries
a what-if, freezes, deliberates (one change with its reason), publishes the notice; a
member of the public objects on a phone; the office handles the objection; five working
days later it issues the decision, downloads its documents and records a promotion; the
leaderboard shows the awards. Screenshots go to artifacts/screenshots/awards-*.png."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from sanhao.tests.test_browser import SCREENSHOTS, browser, demo_site, sign_in

__all__ = ["browser", "demo_site"]  # the fixtures, used by name
pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NUMERALS = "零一二三四五六七八九十"


def _answer(question: str) -> str:
    """The check question's answer, as a person would work it out."""
    match = re.search(
        r"([零一二三四五六七八九十])\s*([加减])\s*([零一二三四五六七八九十])", question
    )
    assert match, question
    a, b = NUMERALS.index(match[1]), NUMERALS.index(match[3])
    return str(a + b if match[2] == "加" else a - b)


def _shot(page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"awards-{name}.png", full_page=True)


def test_the_office_goes_from_the_ranking_to_the_decision(browser, demo_site, monkeypatch):
    from docx import Document
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from sanhao.audit.models import AuditEntry
    from sanhao.awards.models import Award, CareerEvent, Notice, Objection, Step
    from sanhao.rankings.models import ScoreRun

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo_site, "office")

    # The year moves to the evaluation; the scores are computed.
    page.get_by_role("button", name="进入下一阶段：考量比选").click()
    expect(page.locator("section p strong").first).to_have_text("考量比选")
    page.get_by_role("link", name="各镇街量化计分（K）").click()
    page.get_by_role("button", name="立即重新计分").click()
    expect(page.get_by_text("已完成计分")).to_be_visible()

    # The ranking with its statistics, a what-if that saves nothing, a candidate's breakdown.
    _shot(page, "scores")
    page.get_by_role("link", name="好班子").first.click()
    expect(page.get_by_role("heading", name="这个排名有多可靠？")).to_be_visible()
    expect(page.locator("tr.quota-line")).to_have_count(1)
    _shot(page, "ranking-teams")
    before = (ScoreRun.objects.count(), AuditEntry.objects.count())
    page.get_by_label("K 的权重").fill("0.3")
    page.get_by_label("P 的权重").fill("0.35")
    page.get_by_label("M 的权重").fill("0.35")
    page.get_by_role("button", name="查看新规则下的排名").click()
    expect(page.locator("table.whatif-result")).to_be_visible()
    page.locator("#whatif").screenshot(path=SCREENSHOTS / "awards-ranking-whatif.png")
    page.get_by_label("K 的权重").fill("0.5")  # the weights no longer add up to 1
    page.get_by_role("button", name="查看新规则下的排名").click()
    expect(page.locator("#whatif .errorlist").first).to_contain_text("三项权重之和应恰好为 1")
    assert (ScoreRun.objects.count(), AuditEntry.objects.count()) == before
    page.locator("table.ranking a").nth(1).click()
    expect(page.get_by_role("heading", name="为什么是这个名次")).to_be_visible()
    expect(page.locator("#s code")).to_contain_text("0.4×")
    _shot(page, "ranking-candidate")

    # Freeze.
    page.goto(f"{demo_site}/")
    page.get_by_role("link", name="评选表彰：冻结、研究论证、公示、表彰决定").click()
    page.get_by_role("button", name="冻结这次计分结果").click()
    expect(page.get_by_role("heading", name=re.compile("快照 [0-9a-f]{12}"))).to_be_visible()
    _shot(page, "snapshot")

    # Deliberate: the fourth good team is not proposed, the fifth is added, with reasons.
    page.locator("a", has_text="在此快照上记录研究论证").first.click()
    teams = page.locator("table").first
    fourth, fifth = teams.locator("tbody tr").nth(3), teams.locator("tbody tr").nth(4)
    fifth_name = fifth.locator("td").nth(1).inner_text()
    page.get_by_label("参会人员").fill("部长、分管副部长、干部科")
    page.get_by_label("议题").fill("研究2026年度“三好创争”拟表彰名单")
    fourth.locator("select").select_option("remove")
    page.get_by_role("button", name="记录研究论证及拟表彰名单").click()
    expect(page.locator(".message.error")).to_contain_text("作出调整的理由")  # refused: no reason
    teams = page.locator("table").first
    fourth, fifth = teams.locator("tbody tr").nth(3), teams.locator("tbody tr").nth(4)
    fourth.locator("input[type=text]").fill("公示前核查发现信访问题，暂缓推荐")
    fifth.locator("input[type=checkbox]").check()
    fifth.locator("input[type=text]").fill("实绩突出，递补")
    page.get_by_role("button", name="记录研究论证及拟表彰名单").click()
    expect(page.get_by_text("研究论证及拟表彰名单已记录。")).to_be_visible()
    expect(page.get_by_text("实绩突出，递补")).to_be_visible()
    _shot(page, "deliberation")

    # Publish, with the scores shown.
    page.locator("a", has_text="公示该名单").first.click()
    page.get_by_label("在公示中列出每名拟表彰对象的 K、P、M、B、D 和 S").check()
    page.get_by_role("button", name="发布公示").click()
    expect(page.get_by_text("公示已发布")).to_be_visible()
    notice = Notice.objects.get()
    assert (notice.ends - notice.starts).days >= 4

    # A member of the public reads the notice on a phone and objects.
    public = browser.new_context(viewport=PHONE, locale="zh-CN")
    reader = public.new_page()
    reader.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    reader.goto(f"{demo_site}/gongshi/{notice.pk}/")
    expect(reader.get_by_role("heading", name=notice.title)).to_be_visible()
    expect(reader.get_by_text(fifth_name.removesuffix("班子")).first).to_be_visible()
    expect(reader.get_by_text("公示中")).to_be_visible()
    reader.screenshot(path=SCREENSHOTS / "awards-notice-phone.png", full_page=True)
    reader.locator("a", has_text="在线反映").click()
    reader.get_by_label("真实姓名").fill("王建国")
    reader.get_by_label("联系电话").fill("13912345678")
    reader.get_by_label("反映内容").fill("反映该班子年中一项目进度数据存疑，请核实。")
    question = reader.locator("legend").filter(has_text="验证问题").inner_text()
    reader.get_by_label("答案（填数字）").fill(_answer(question))
    reader.screenshot(path=SCREENSHOTS / "awards-objection-phone.png", full_page=True)
    reader.get_by_role("button", name="提交反映").click()
    expect(reader.get_by_role("heading", name="反映已收到")).to_be_visible()
    public.close()
    objection = Objection.objects.get()
    assert not objection.anonymous

    # The office verifies it and finds it not upheld.
    page.goto(
        f"{demo_site}/years/{notice.deliberation.snapshot.year_id}/awards/notices/{notice.pk}/"
    )
    page.get_by_role("link", name="办理异议").click()
    page.locator("table a").first.click()
    page.get_by_label("备注").fill("已约谈镇街，调阅台账")
    page.get_by_role("button", name="开始核实").click()
    page.get_by_label("备注").fill("经核实，数据有据可查，反映不属实")
    page.get_by_role("button", name="结论：不属实").click()
    assert objection.steps.filter(step=Step.NOT_UPHELD).exists()
    _shot(page, "objection-handled")

    # Five working days later: the decision, its documents, an incentive.
    after = notice.ends + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: after)
    page.goto(
        f"{demo_site}/years/{notice.deliberation.snapshot.year_id}/awards/notices/{notice.pk}/"
    )
    page.locator("a", has_text="印发表彰决定").first.click()
    page.get_by_label("发文字号").fill("姜组发〔2026〕12号")
    page.get_by_role("button", name="印发决定").click()
    expect(page.get_by_text("表彰决定 姜组发〔2026〕12号 已印发。")).to_be_visible()
    _shot(page, "decision")
    with page.expect_download() as got:
        page.get_by_role("link", name="表彰决定（Word 文档 .docx）").click()
    text = "\n".join(p.text for p in Document(got.value.path()).paragraphs)
    assert "姜组发〔2026〕12号" in text
    with page.expect_download() as got:
        page.get_by_role("link", name="表彰名单（Excel .xlsx）").click()
    book = load_workbook(io.BytesIO(got.value.path().read_bytes()))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    awarded = list(Award.objects.order_by("order"))
    assert len(awarded) == 4 + 4 + 18
    assert all(any(a.name in c for c in cells) for a in awarded)
    assert fifth_name.split("（")[0] in " ".join(cells)

    page.get_by_role("link", name="鼓励激励").first.click()
    leader = next(a for a in awarded if a.category == "leader")
    card = page.locator(f"#award-{leader.pk}")
    card.get_by_text("记录激励情况").click()
    card.get_by_label("类型").select_option("promoted")
    card.get_by_label("日期").fill(after.isoformat())
    card.get_by_label("新任职务").fill("区政府副区长")
    card.get_by_role("button", name="记录").click()
    expect(page.get_by_text("区政府副区长")).to_be_visible()
    assert CareerEvent.objects.filter(award=leader, kind="promoted").exists()
    _shot(page, "incentives")

    # The leaderboard shows the awards.
    page.goto(f"{demo_site}/years/{notice.deliberation.snapshot.year_id}/leaderboard/")
    expect(page.get_by_text(leader.name).first).to_be_visible()
    page.wait_for_timeout(500)
    _shot(page, "leaderboard")
    context.close()
    assert not errors, errors
