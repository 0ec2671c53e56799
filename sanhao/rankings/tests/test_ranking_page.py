"""The ranking page per category, its statistics, a candidate's breakdown, the what-if."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.audit.models import AuditEntry
from sanhao.ballots import services as ballots
from sanhao.ballots.tests.conftest import make_session as make_ballot_session
from sanhao.conftest import PASSWORD
from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow, queries
from sanhao.panels import services as panels
from sanhao.panels.tests.conftest import fill_sheet
from sanhao.panels.tests.conftest import make_session as make_panel_session
from sanhao.rankings import ranking
from sanhao.rankings.models import ScoreRun
from sanhao.rankings.runs import compute_scores, recompute_statistics
from sanhao.rankings.services import current_scheme, save_scheme_version
from sanhao.rankings.tests.conftest import changed
from sanhao.rankings.tests.test_runs import TODAY, fill

# Town A's team: the panel's favourite; town B's: the better figures (a higher K).
PANEL = {"T-town-a": ["24", "24", "24", "23"], "T-town-b": ["15", "16", "15", "15"]}


def evaluate(world):
    """The teams' quota cut to 1, a panel of three, four voters: one computed run."""
    fill(world)
    source = changed(current_scheme(world.campaign).source, "quota = 4\n", "quota = 1\n")
    save_scheme_version(world.campaign, source, reason="", actor=world.office)
    judges = [world.judge] + [
        create_account(username=f"judge-{n}", password=PASSWORD, role=AccountRole.JUDGE,
                       actor=world.office) for n in ("b", "c")
    ]  # fmt: skip
    session = make_panel_session(world, judges)
    for n, judge in enumerate(judges):
        fill_sheet(session, judge, {c: [str(Decimal(x) - n) for x in v] for c, v in PANEL.items()})
    panels.close_session(session, actor=world.office)
    opened = make_ballot_session(world, category="team", invited=4, codes=4)
    for code, grades in zip(opened.codes, [("较好", "较好"), ("较好", "一般"), ("好", "较好"),
                                           ("较好", "较好")], strict=True):  # fmt: skip
        ballots.cast(code, {"T-town-a": grades[0], "T-town-b": grades[1]})
    ballots.close_session(opened.session, actor=world.office)
    return compute_scores(world.campaign, actor=world.office, today=TODAY)


@pytest.fixture
def run(world):
    return evaluate(world)


def page(world, category="team", user=None):
    url = reverse("rankings:ranking", args=[world.campaign.pk, category])
    return world.client_for(user or world.office).get(url)


def teams(run):
    return {c["id"]: c for c in json.loads(run.result)["categories"]["team"]["candidates"]}


def text(response) -> str:
    return response.content.decode()


def test_the_page_shows_ranks_the_quota_line_and_each_status(world, run):
    body = text(page(world))
    assert "好班子排名" in body
    a, b = body.index("甲镇班子"), body.index("乙街道班子")
    assert a < b  # the panel's favourite first
    assert "当选" in body[a:b] and "未当选" in body[b:]
    line = body.index("名额线（1 个名额）")
    assert a < line < b
    assert "71.98" in body and "67.13" in body
    assert "名额 1 个：当选 1 个，提交研究论证的名额 0 个" in body
    assert 'class="seated quota-line"' in body


def test_the_leaders_without_a_panel_are_not_eligible_with_the_reason(world, run):
    body = text(page(world, "leader"))
    assert "不具备资格：缺少有效的述职评分（待工作专班处理）" in body
    assert "甲书记" in body


def test_the_statistics_are_stored_and_explained_in_words(world, run):
    assert run.statistics == recompute_statistics(run)
    body = text(page(world))
    assert "这个排名有多可靠？" in body
    assert "肯德尔和谐系数 W = <strong>1.000</strong>（3 位评委给全部 2 个对象打了分）" in body
    assert "评委对排序的意见高度一致。" in body
    assert "克里彭多夫 α 系数 = <strong>0.125</strong>" in body
    assert "在 100 次重抽中有 93 次位于名额内" in body  # the explanation of the shares
    assert "第 1 名" in body and "100%" in body
    assert "如果 K 的权重从 0.4 提高到 0.513（提高 0.113" in body
    assert "没有需要特别关注的评委" in body and "雷同选票没有超出随机预期" in body


def test_a_run_without_statistics_says_so_and_offers_to_compute_again(world, run, monkeypatch):
    monkeypatch.setattr(ranking, "documents", lambda r: ranking.Documents(
        json.loads(r.result), None))  # fmt: skip
    body = text(page(world))
    assert "没有统计可显示" in body and "重新计分（含统计）" in body
    response = world.client_for(world.office).post(
        reverse("rankings:compute", args=[world.campaign.pk]), {"category": "team"}
    )
    assert response["Location"] == reverse("rankings:ranking", args=[world.campaign.pk, "team"])
    assert ScoreRun.objects.count() == 2


def test_an_unknown_category_or_candidate_is_404(world, run):
    assert page(world, "mayor").status_code == 404
    url = reverse("rankings:candidate", args=[world.campaign.pk, "team", "T-nowhere"])
    assert world.client_for(world.office).get(url).status_code == 404
    url = reverse("rankings:candidate", args=[world.campaign.pk, "leader", "T-town-a"])
    assert world.client_for(world.office).get(url).status_code == 404


def test_before_the_first_run_the_page_says_so(world):
    body = text(page(world))
    assert "本年度尚未计分" in body


def test_the_candidate_page_adds_up(world, run):
    me = teams(run)["T-town-a"]
    url = reverse("rankings:candidate", args=[world.campaign.pk, "team", "T-town-a"])
    body = text(world.client_for(world.viewer).get(url))
    k, p, m, b, d = (Decimal(me[x]) for x in "KPMBD")
    s = (Decimal("0.4") * k + Decimal("0.3") * p + Decimal("0.3") * m + b - d).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert s == Decimal(me["S"])
    assert f"0.4×{k} + 0.3×{p} + 0.3×{m} + {b} − {d} = {s}" in body
    # K's indicators, P's four dimensions by three sheets, M's group with its counts.
    assert "开票销售" in body and "中心组月学" in body
    assert "有 3 份有效评分表给该对象打了分" in body
    assert "引领力强" in body and "公信力强" in body
    assert "镇街干部" in body and "好 1，较好 3，一般 0，差 0" in body
    # Why first: above B by the difference of S.
    gap = Decimal(me["S"]) - Decimal(teams(run)["T-town-b"]["S"])
    assert f"综合得分比第 2 名 乙街道班子 高 {gap} 分" in body
    assert "依次比较 量化计分 K › 民主测评 M › 述比排序 P › 优秀率" in body


def test_the_tie_break_is_named_when_s_is_equal():
    me = {"name": "甲", "rank": 1, "S": "80.00", "K": "90.00", "M": "70.00", "P": "70.00",
          "excellence_rate": "0.5000"}  # fmt: skip
    other = {**me, "name": "乙", "rank": 2, "K": "85.00"}
    said = ranking._compare(me, other, False, ["K", "M", "P", "e"])
    assert "按量化计分 K排在其前（90.00 对 85.00）" in said
    tied = ranking._compare(me, {**me, "name": "乙"}, True, ["K", "M", "P", "e"])
    assert "名次并列" in tied


WHATIF = {"weight_K": "0.7", "weight_P": "0.15", "weight_M": "0.15", "quota": "1",
          "threshold": ""}  # fmt: skip


def whatif(world, data, *, htmx=True, category="team"):
    url = reverse("rankings:whatif", args=[world.campaign.pk, category])
    headers = {"HX-Request": "true"} if htmx else {}
    return world.client_for(world.office).post(url, data, headers=headers)


def test_the_whatif_moves_someone_across_the_quota_line_and_saves_nothing(world, run):
    before = (ScoreRun.objects.count(), AuditEntry.objects.count())
    response = whatif(world, WHATIF)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body  # the panel only
    assert "进入名额： 乙街道班子" in body or "进入名额：乙街道班子" in body
    assert "移出名额：" in body and body.index("移出名额：") < body.index(
        "甲镇班子", body.index("移出名额：")
    )
    assert '<span class="moved-in">进入名额</span>' in body
    assert "模拟时不重新计算统计数据" in body
    assert (ScoreRun.objects.count(), AuditEntry.objects.count()) == before
    # without JavaScript: the whole page, the official ranking beside the what-if
    body = text(whatif(world, WHATIF, htmx=False))
    assert (
        "<html" in body and "这个排名有多可靠？" in body and "新规则下的排名与正式排名对照" in body
    )


def test_the_whatif_with_the_schemes_rules_moves_no_one(world, run):
    body = text(whatif(world, {**WHATIF, "weight_K": "0.4", "weight_P": "0.3", "weight_M": "0.3"}))
    assert "没有人进入或移出名额" in body


def test_the_whatif_says_what_is_wrong_with_each_field(world, run):
    body = text(whatif(world, {"weight_K": "0.5", "weight_P": "0.3", "weight_M": "0.3",
                               "quota": "-1", "threshold": "八十"}))  # fmt: skip
    assert body.count("三项权重之和应恰好为 1，现为 1.1") == 3
    assert "请填写不小于 0 的整数" in body
    assert "请填写分数，例如 80；不设分数线则留空" in body
    body = text(whatif(world, {**WHATIF, "weight_M": "abc"}))
    assert "请填写 0 到 1 之间的数，例如 0.4" in body
    body = text(whatif(world, {"weight_K": "0.7", "weight_P": "0.15", "weight_M": "0.15",
                               "quota": "1", "threshold": "99999999"}))  # fmt: skip
    assert "应不大于 10000，现为 99999999" in body  # the engine's words, beside the field
    assert "计分引擎不接受这些规则" not in body  # nothing left without a field
    huge = whatif(world, {**WHATIF, "threshold": "1E+999999999"})  # once a 500 (decimal.Overflow)
    assert huge.status_code == 200 and "绝对值不能超过 10^15" in text(huge)
    thirds = {"weight_K": "0.3333333", "weight_P": "0.3333333", "weight_M": "0.3333334"}
    response = whatif(world, {**WHATIF, **thirds})  # adds up to 1, but too many places
    assert response.status_code == 200 and "新规则下的排名与正式排名对照" not in text(response)
    assert text(response).count("小数位数不能超过 6 位") == 3  # the engine's, beside each weight


def test_the_whatif_takes_the_deputies_unit_cap(world, run):
    response = whatif(world, {**WHATIF, "quota": "3", "unit_cap": "1"}, category="deputy")
    assert response.status_code == 200 and "新规则下的排名与正式排名对照" in text(response)


@pytest.mark.parametrize("who", ["viewer", "liaison_a", "judge"])
def test_only_the_office_tries_a_whatif(world, who):
    url = reverse("rankings:whatif", args=[world.campaign.pk, "team"])
    assert world.client_for(getattr(world, who)).post(url, WHATIF).status_code == 403
    assert "假如调整规则" not in text(page(world, user=world.viewer))


def test_the_pages_read_in_the_same_number_of_queries_for_4_and_24_units(world):
    client = world.client_for(world.office)
    urls = [reverse("rankings:ranking", args=[world.campaign.pk, c]) for c in ranking.CATEGORIES]
    urls.append(reverse("rankings:candidate", args=[world.campaign.pk, "team", "T-town-a"]))

    def count():
        fill(world, Unit.objects.filter(figures__isnull=True).distinct())
        compute_scores(world.campaign, actor=world.office, today=TODAY)
        return [queries(client, url) for url in urls]

    grow(world, 4, 3)
    small = count()
    grow(world, 24, 3)
    assert count() == small


def test_flagged_judges_and_identical_ballots_are_named_in_words(world, run, monkeypatch):
    stats = json.loads(run.statistics)
    flags = stats["categories"]["team"]["judge_flags"]
    flags[0]["flags"] = ["lenient", "own_unit_bias"]
    stats["duplicate_ballots"] = [{"session": "ballot-7", "size": 4, "ballots": [],
                                   "expected_identical_pairs": 0.0123,
                                   "observed_identical_pairs": 6}]  # fmt: skip
    monkeypatch.setattr(ranking, "documents", lambda r: ranking.Documents(
        json.loads(r.result), stats))  # fmt: skip
    body = text(page(world))
    assert f"评委 {flags[0]['judge']}：偏宽、偏向本镇街的对象。" in body
    assert (
        "测评场次 ballot-7：有 4 张选票完全相同（相同的票对有 6 对，随机情况下约为 0.012 对）"
        in body
    )
