"""The pages: who may open them, the judge's sheet with and without JavaScript, the
office's progress without a score, corrections and the close; queries per page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sanhao.orgs.tests.test_query_counts import grow
from sanhao.panels import services
from sanhao.panels.models import PanelCandidate, SheetDraft, SheetVersion
from sanhao.panels.selectors import candidates_of
from sanhao.panels.tests.conftest import fill_sheet, make_session

HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, session) -> str:
    return reverse(f"panels:{name}", kwargs={"session_pk": session.pk})


def pks(session) -> dict[str, int]:
    return {c.candidate: c.pk for c in candidates_of(session)}


def cells(session, rows: dict[str, list[str]]) -> dict[str, str]:
    found = pks(session)
    return {f"c-{found[c]}-{d}": v for c, row in rows.items() for d, v in enumerate(row)}


OFFICE_GETS = ["session", "edit", "progress", "results"]
OFFICE_POSTS = ["reorder", "open", "reporting", "close"]
JUDGE_GETS = ["sheet", "review"]
JUDGE_POSTS = ["sheet", "submit", "correct"]


@pytest.mark.parametrize("who", ["liaison_a", "viewer"])
def test_liaisons_and_viewers_get_403_everywhere(world, judges, session, who):
    client = world.client_for(getattr(world, who))
    pk = world.campaign.pk
    for name in ("list", "create"):
        assert client.get(reverse(f"panels:{name}", kwargs={"pk": pk})).status_code == 403
    assert client.get(reverse("panels:mine")).status_code == 403
    for name in OFFICE_GETS + JUDGE_GETS:
        assert client.get(url(name, session)).status_code == 403, name
    for name in OFFICE_POSTS + JUDGE_POSTS:
        assert client.post(url(name, session)).status_code == 403, name


def test_a_judge_gets_403_on_the_offices_pages(world, judges, session):
    client = world.client_for(world.judge)
    assert client.get(reverse("panels:list", kwargs={"pk": world.campaign.pk})).status_code == 403
    for name in OFFICE_GETS:
        assert client.get(url(name, session)).status_code == 403, name
    for name in OFFICE_POSTS:
        assert client.post(url(name, session)).status_code == 403, name


def test_the_office_does_not_open_a_judges_sheet(world, judges, session):
    client = world.client_for(world.office)
    assert client.get(reverse("panels:mine")).status_code == 403
    for name in JUDGE_GETS:
        assert client.get(url(name, session)).status_code == 403


def test_a_judge_sees_only_the_open_sessions_they_are_assigned_to(world, judges):
    mine = make_session(world, judges[:1], units=[world.a], title="甲镇场次")
    other = make_session(world, judges[1:], units=[world.b], title="乙街道场次")
    preparing = make_session(world, judges, category="leader", opened=False)
    client = world.client_for(judges[0])
    assert client.get(url("sheet", mine)).status_code == 200
    for session in (other, preparing):
        for name in JUDGE_GETS:
            assert client.get(url(name, session)).status_code == 404
        for name in JUDGE_POSTS:
            assert client.post(url(name, session)).status_code == 404
    listed = client.get(reverse("panels:mine")).content.decode()
    assert mine.title in listed and other.title not in listed and preparing.title not in listed
    home = client.get(reverse("home")).content.decode()
    assert mine.title in home and url("sheet", mine) in home


def test_the_office_lists_creates_and_opens_a_session(world, judges):
    client = world.client_for(world.office)
    page = client.get(reverse("panels:create", kwargs={"pk": world.campaign.pk}))
    assert page.status_code == 200 and "好班子述职评分" in page.content.decode()
    now = timezone.localtime()
    response = client.post(reverse("panels:create", kwargs={"pk": world.campaign.pk}), {
        "title": "好班子述职", "category": "team", "mode": "score",
        "opens": f"{now - dt.timedelta(hours=1):%Y-%m-%dT%H:%M}",
        "closes": f"{now + dt.timedelta(hours=3):%Y-%m-%dT%H:%M}",
        "units": [world.a.pk, world.b.pk], f"judge_{world.judge.pk}": "on",
        f"abstain_{world.judge.pk}": world.a.pk, f"judge_{judges[1].pk}": "on",
    })  # fmt: skip
    assert response.status_code == 302
    session = PanelCandidate.objects.get(candidate="T-town-a").session
    assert response["Location"] == url("session", session)
    page = client.get(url("session", session)).content.decode()
    assert "甲镇班子" in page and "回避：甲镇" in page
    order = {f"order_{pk}": n for n, pk in zip((2, 1), pks(session).values(), strict=True)}
    client.post(url("reorder", session), order)
    assert [c.candidate for c in candidates_of(session)] == ["T-town-b", "T-town-a"]
    client.post(url("open", session))
    session.refresh_from_db()
    assert session.state == "open"
    client.post(url("reporting", session), {"candidate": "T-town-a"})
    listed = client.get(reverse("panels:list", kwargs={"pk": world.campaign.pk})).content.decode()
    assert "好班子述职" in listed and "评分中" in listed
    home = client.get(reverse("home")).content.decode()
    assert reverse("panels:list", kwargs={"pk": world.campaign.pk}) in home


def test_the_judges_page_puts_the_one_reporting_first_and_leaves_out_their_own_unit(world, judges):
    session = make_session(world, judges, abstain={"judge": [world.a]})
    services.set_reporting(session, "T-town-b", actor=world.office)
    body = world.client_for(world.judge).get(url("sheet", session)).content.decode()
    assert body.index("乙街道班子") < body.index("甲镇班子")
    assert "正在述职" in body and "回避：本人所在镇街" in body
    names = re.findall(r'name="(c-\d+-\d)"', body)
    found = pks(session)
    assert names == [f"c-{found['T-town-b']}-{d}" for d in range(4)]
    assert 'min="0" max="25" step="0.1" inputmode="decimal"' in body
    assert "引领力强" in body and "班子" in body
    assert 'hx-post="' in body and 'hx-trigger="change, input delay:1s"' in body


def test_autosave_with_htmx_answers_a_fragment_with_the_totals(world, judges, session):
    client = world.client_for(world.judge)
    found = pks(session)
    response = client.post(url("sheet", session),
                           cells(session, {"T-town-a": ["20", "21.5", "", ""]}), **HX)  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and "草稿已保存" in body
    assert f'<output id="total-{found["T-town-a"]}" hx-swap-oob="true">41.5</output>' in body
    assert "已填 2 / 8 项" in body and "<html" not in body
    assert SheetDraft.objects.get().cells == {"T-town-a": ["20", "21.5", "", ""]}
    wrong = client.post(
        url("sheet", session), cells(session, {"T-town-a": ["30", "", "", ""]}), **HX
    )
    assert "未保存：甲镇班子·引领力强：分数应在 0 到 25 之间，现为 30" in wrong.content.decode()
    assert SheetDraft.objects.get().cells == {"T-town-a": ["20", "21.5", "", ""]}


def test_without_javascript_a_form_post_saves_the_draft(world, judges, session):
    client = world.client_for(world.judge)
    data = cells(session, {"T-town-a": ["20", "21", "22", "23"], "T-town-b": ["19", "", "", ""]})
    response = client.post(url("sheet", session), {**data, "go": "save"})
    assert response.status_code == 302 and response["Location"] == url("sheet", session)
    assert SheetDraft.objects.get().cells["T-town-a"] == ["20", "21", "22", "23"]
    page = client.get(url("sheet", session)).content.decode()
    assert 'value="23"' in page and "草稿已保存" in page
    response = client.post(url("sheet", session), {**data, "go": "review"})
    assert response["Location"] == url("review", session)
    bad = client.post(url("sheet", session), {**cells(session, {"T-town-b": ["abc", "", "", ""]})})
    body = bad.content.decode()
    assert bad.status_code == 200 and "“abc”不是数字" in body and 'value="abc"' in body
    assert SheetDraft.objects.get().cells["T-town-b"] == ["19", "", "", ""]


def test_the_review_shows_the_missing_cells_and_warns_of_a_void_sheet(world, judges, session):
    client = world.client_for(world.judge)
    client.post(url("sheet", session),
                cells(session, {"T-town-a": ["20", "20", "20", "20"], "T-town-b": ["20", "", "", ""]}))  # fmt: skip
    body = client.get(url("review", session)).content.decode()
    assert "还有 3 项未填" in body and "乙街道班子·公信力强" in body
    assert "提交评分表" not in body
    client.post(url("sheet", session), cells(session, {"T-town-b": ["20", "20", "20", "20"]}))
    body = client.get(url("review", session)).content.decode()
    assert "这份评分表将被视为无效" in body and "所有候选对象总分相同" in body
    assert "提交评分表" in body and "<strong>80</strong>" in body
    client.post(url("sheet", session), cells(session, {"T-town-b": ["20", "20", "20", "19.5"]}))
    assert "将被视为无效" not in client.get(url("review", session)).content.decode()


def test_a_judge_submits_the_sheet_is_locked_and_corrected_with_a_reason(world, judges, session):
    client = world.client_for(world.judge)
    client.post(url("sheet", session),
                cells(session, {"T-town-a": ["20", "21", "22", "23"], "T-town-b": ["19", "19", "19", "19"]}))  # fmt: skip
    response = client.post(url("submit", session))
    assert response["Location"] == url("sheet", session)
    page = client.get(url("sheet", session)).content.decode()
    assert "已提交并锁定" in page and "disabled" in page and "申请更正" in page
    assert 'hx-post="' not in page
    again = client.post(url("submit", session), follow=True).content.decode()
    assert "您的评分表已经提交" in again
    client.post(url("correct", session))
    assert "正在更正" in client.get(url("sheet", session)).content.decode()
    client.post(url("sheet", session), cells(session, {"T-town-a": ["25", "21", "22", "23"]}))
    review = client.get(url("review", session)).content.decode()
    assert 'name="reason"' in review and "提交更正" in review
    refused = client.post(url("submit", session), follow=True).content.decode()
    assert "更正须说明原因" in refused
    client.post(url("submit", session), {"reason": "引领力强误录"})
    version = SheetVersion.objects.get(number=2)
    assert version.reason == "引领力强误录"
    office = world.client_for(world.office)
    page = office.get(url("session", session)).content.decode()
    assert "待审核的更正" in page and "引领力强误录" in page and "改动 1 项" in page
    closing = office.post(url("close", session), follow=True).content.decode()
    assert "有更正等待审核" in closing
    decide = reverse("panels:decide", kwargs={"session_pk": session.pk, "version_pk": version.pk})
    rejected = office.post(decide, {"decision": "reject"}, follow=True).content.decode()
    assert "请说明驳回更正的理由" in rejected
    office.post(decide, {"decision": "accept"})
    assert version.decision.accepted


def test_the_office_sees_progress_but_no_score_before_the_close(world, judges, session):
    client = world.client_for(world.judge)
    client.post(url("sheet", session), cells(session, {"T-town-a": ["23.7", "24.3", "", ""]}))
    fill_sheet(session, judges[1], {"T-town-a": ["17.3", "18.9", "16.1", "15.7"],
                                    "T-town-b": ["12.3", "13.7", "14.9", "11.1"]})  # fmt: skip
    office = world.client_for(world.office)
    page = office.get(url("session", session)).content.decode()
    progress = office.get(url("progress", session) + "?polls=1", **HX).content.decode()
    for body in (page, progress):
        assert "2 / 8" in body and "8 / 8" in body and "填写中" in body and "已提交" in body
        for secret in ("23.7", "24.3", "17.3", "12.3", "48", "68.2"):
            assert secret not in body, secret
    assert (
        f'hx-get="{url("progress", session)}?polls=1"' in page and 'hx-trigger="every 10s"' in page
    )
    assert '?polls=2"' in progress
    late = office.get(url("progress", session) + "?polls=180", **HX).content.decode()
    assert "hx-get" not in late and "停止自动刷新" in late  # an unattended screen times out
    assert "<html" not in progress and "3 位评委中已有 1 位提交" in progress
    results = office.get(url("results", session))
    assert results.status_code == 302 and results["Location"] == url("session", session)
    response = office.post(url("close", session))
    assert response["Location"] == url("results", session)
    body = office.get(url("results", session)).content.decode()
    assert "68.00" in body and "52.00" in body  # one sheet each: its totals are P
    assert "评委一致性" in body


def test_the_judges_draft_does_not_count_after_the_close(world, judges, session):
    client = world.client_for(world.judge)
    client.post(url("sheet", session), cells(session, {"T-town-a": ["20", "", "", ""]}))
    services.close_session(session, actor=world.office)
    page = client.get(url("sheet", session)).content.decode()
    assert "本场已结束" in page and 'hx-post="' not in page
    response = client.post(url("sheet", session), cells(session, {"T-town-a": ["21", "", "", ""]}))
    assert "本场评分未开放" in response.content.decode()


def queries(client, address: str, **extra) -> int:
    client.get(address, **extra)
    with CaptureQueriesContext(connection) as context:
        response = client.get(address, **extra)
    assert response.status_code == 200, address
    return len(context.captured_queries)


def test_the_pages_read_in_the_same_number_of_queries_for_2_and_13_candidates(world, judges):
    def pages(units):
        session = make_session(world, judges, category="team" if units is None else "deputy",
                               units=units, title=f"场次{units}",
                               abstain={"judge": [world.a]})  # fmt: skip
        for judge in judges[1:]:
            fill_sheet(session, judge)
        fill_sheet(session, world.judge, submit=False)
        judge, office = world.client_for(world.judge), world.client_for(world.office)
        counts = [queries(judge, url("sheet", session)), queries(judge, url("review", session)),
                  queries(office, url("session", session)),
                  queries(office, url("progress", session), **HX),
                  queries(judge, reverse("panels:mine")),
                  queries(office, reverse("panels:list", kwargs={"pk": world.campaign.pk}))]  # fmt: skip
        services.submit_sheet(session, actor=world.judge)
        services.close_session(session, actor=world.office)
        counts.append(queries(office, url("results", session)))
        return counts

    small = pages([world.a])  # the two deputies of town A… and of B below
    grow(world, 13, 4)
    large = pages(None)  # 13 teams
    assert small == large
