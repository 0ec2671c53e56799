"""Setting sessions up, scoring, submitting, correcting, closing: the rules of each step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanhao.audit.models import AuditEntry
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.panels import services
from sanhao.panels.models import PanelCandidate, SheetDraft, SheetVersion, State
from sanhao.panels.selectors import candidates_of, versions_of
from sanhao.panels.tests.conftest import fill_sheet, make_session


def ids(session) -> list[str]:
    return [c.candidate for c in candidates_of(session)]


def test_it_takes_every_candidate_of_the_category_in_the_units_order(world, judges):
    teams = make_session(world, judges, opened=False)
    assert ids(teams) == ["T-town-a", "T-town-b"]
    assert [c.name for c in candidates_of(teams)] == ["甲镇班子", "乙街道班子"]
    deputies = make_session(world, judges, category="deputy", opened=False)
    assert ids(deputies) == ["D-town-a-A002", "D-town-a-A003", "D-town-b-B002", "D-town-b-B003"]
    leaders = make_session(world, judges, category="leader", units=[world.b], opened=False)
    assert ids(leaders) == ["L-town-b"]
    assert teams.state == State.DRAFT and teams.mode == "score"


def test_it_puts_each_candidate_in_one_session_of_the_year(world, judges):
    make_session(world, judges, category="deputy", units=[world.a], opened=False)
    rest = make_session(world, judges, category="deputy", opened=False)
    assert ids(rest) == ["D-town-b-B002", "D-town-b-B003"]
    with pytest.raises(DomainError, match="没有尚未"):
        make_session(world, judges, category="deputy", units=[world.a], opened=False)


def test_it_refuses_a_window_that_closes_before_it_opens_and_a_mode_the_scheme_does_not_use(
    world, judges
):
    now = timezone.now()
    with pytest.raises(DomainError, match="结束时间"):
        make_session(world, judges, opens=now, closes=now - dt.timedelta(hours=1))
    with pytest.raises(DomainError, match="方案"):
        make_session(world, judges, mode="rank")
    with pytest.raises(DomainError, match="评委账号"):
        make_session(world, [world.viewer])
    with pytest.raises(DomainError, match="工作专班"):
        services.create_session(world.campaign, category="team", title="x", opens=now,
                                closes=now + dt.timedelta(hours=1), mode="score", judges=[],
                                actor=world.judge)  # fmt: skip
    assert not PanelCandidate.objects.exists()


def test_it_reorders_while_in_preparation_only(world, judges):
    session = make_session(world, judges, category="deputy", opened=False)
    order = list(reversed(ids(session)))
    services.reorder_candidates(session, order, actor=world.office)
    assert ids(session) == order
    with pytest.raises(DomainError, match="每位"):
        services.reorder_candidates(session, order[:2], actor=world.office)
    services.open_session(session, actor=world.office)
    with pytest.raises(DomainError, match="开始评分前"):
        services.reorder_candidates(session, ids(session), actor=world.office)
    services.set_reporting(session, order[2], actor=world.office)
    session.refresh_from_db()
    assert session.reporting == order[2]
    with pytest.raises(DomainError, match="不是本场"):
        services.set_reporting(session, "T-town-a", actor=world.office)


def test_it_changes_only_the_name_and_the_window_while_open(world, judges, session):
    later = session.closes + dt.timedelta(hours=2)
    services.update_session(session, title="新名称", opens=session.opens, closes=later,
                            actor=world.office)  # fmt: skip
    session.refresh_from_db()
    assert (session.title, session.closes) == ("新名称", later)
    with pytest.raises(DomainError, match="只能修改"):
        services.update_session(session, title="x", opens=session.opens, closes=later,
                                judges=[(judges[0], [])], actor=world.office)  # fmt: skip


def test_it_saves_a_draft_over_and_submits_it_once(world, judges, session):
    judge = judges[0]
    services.save_draft(session, {"T-town-a": ["20", "", "", ""]}, actor=judge)
    services.save_draft(session, {"T-town-a": ["21.5", "22", "23", "24"],
                                  "T-town-b": ["18", "19", "20", "21"]}, actor=judge)  # fmt: skip
    draft = SheetDraft.objects.get(session=session, judge=judge)
    assert draft.cells == {
        "T-town-a": ["21.5", "22", "23", "24"],
        "T-town-b": ["18", "19", "20", "21"],
    }
    version = services.submit_sheet(session, actor=judge)
    assert version.number == 1 and not SheetDraft.objects.exists()
    assert AuditEntry.objects.filter(action="panels.sheet.submit").count() == 1
    with pytest.raises(DomainError, match="已经提交"):
        services.submit_sheet(session, actor=judge)
    with pytest.raises(DomainError, match="已提交并锁定"):
        services.save_draft(session, {"T-town-a": ["1", "1", "1", "1"]}, actor=judge)
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        SheetVersion.objects.filter(pk=version.pk).update(cells={})


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (["26", "", "", ""], "0 到 25"),
        (["-1", "", "", ""], "0 到 25"),
        (["abc", "", "", ""], "不是数字"),
        (["NaN", "", "", ""], "不是数字"),
        (["20.25", "", "", ""], "一位小数"),
        (["20", "20"], "4 个分数"),
    ],
)
def test_it_refuses_a_score_out_of_range_or_not_a_number_and_saves_nothing(
    world, judges, session, typed, message
):
    services.save_draft(session, {"T-town-b": ["20", "20", "20", "20"]}, actor=judges[0])
    with pytest.raises(DomainError, match=message):
        services.save_draft(session, {"T-town-a": typed, "T-town-b": ["1", "1", "1", "1"]},
                            actor=judges[0])  # fmt: skip
    draft = SheetDraft.objects.get(judge=judges[0])
    assert draft.cells == {"T-town-b": ["20", "20", "20", "20"]}


def test_it_names_the_candidate_and_the_dimension_of_a_wrong_score(world, judges, session):
    with pytest.raises(DomainError) as found:
        services.save_draft(session, {"T-town-b": ["20", "30", "", ""]}, actor=judges[0])
    assert found.value.message.startswith("乙街道班子·凝聚力强：")


def test_it_refuses_a_candidate_not_in_the_session(world, judges):
    session = make_session(world, judges, units=[world.a])
    with pytest.raises(DomainError, match="不是本场"):
        services.save_draft(session, {"T-town-b": ["20", "20", "20", "20"]}, actor=judges[0])


def test_it_refuses_a_judge_of_another_session_and_other_roles(world, judges):
    session = make_session(world, judges[:1])
    with pytest.raises(DomainError, match="不是本场"):
        services.save_draft(session, {"T-town-a": ["20", "20", "20", "20"]}, actor=judges[1])
    for who in (world.office, world.liaison_a, world.viewer):
        with pytest.raises(DomainError):
            services.save_draft(session, {"T-town-a": ["20", "20", "20", "20"]}, actor=who)
    fill_sheet(session, judges[0])
    with pytest.raises(DomainError, match="不是本场"):
        services.submit_sheet(session, actor=judges[1])


def test_it_keeps_the_judge_off_their_own_units_candidates(world, judges):
    session = make_session(world, judges, abstain={"judge": [world.a]})
    with pytest.raises(DomainError, match="回避"):
        services.save_draft(session, {"T-town-a": ["20", "20", "20", "20"]}, actor=world.judge)
    services.save_draft(session, {"T-town-b": ["20", "21", "20", "20"]}, actor=world.judge)
    version = services.submit_sheet(session, actor=world.judge)
    assert version.cells == {"T-town-b": ["20", "21", "20", "20"]}


def test_it_submits_only_a_complete_sheet(world, judges, session):
    with pytest.raises(DomainError, match="还没有"):
        services.submit_sheet(session, actor=judges[0])
    services.save_draft(session, {"T-town-a": ["20", "20", "", "20"]}, actor=judges[0])
    with pytest.raises(DomainError, match="还有 5 项尚未填写：甲镇班子·战斗力强、乙街道班子"):
        services.submit_sheet(session, actor=judges[0])


def test_it_scores_only_inside_the_window_of_an_open_session(world, judges):
    now = timezone.now()
    later = make_session(world, judges, units=[world.a], opens=now + dt.timedelta(hours=1),
                         closes=now + dt.timedelta(hours=3))  # fmt: skip
    with pytest.raises(DomainError, match="开始"):
        services.save_draft(later, {"T-town-a": ["20", "", "", ""]}, actor=judges[0])
    draft = make_session(world, judges, units=[world.b], opened=False)
    with pytest.raises(DomainError, match="未开放"):
        services.save_draft(draft, {"T-town-b": ["20", "", "", ""]}, actor=judges[0])


def test_a_correction_needs_a_reason_and_counts_once_accepted(world, judges, session):
    judge = judges[0]
    first = fill_sheet(session, judge)
    draft = services.start_correction(session, actor=judge)
    assert draft.cells == first.cells and draft.corrects == first
    row = list(first.cells["T-town-a"])
    row[0] = "25"
    services.save_draft(session, {"T-town-a": row}, actor=judge)
    with pytest.raises(DomainError, match="原因"):
        services.submit_sheet(session, actor=judge)
    second = services.submit_sheet(session, reason="第一项误录", actor=judge)
    assert second.number == 2
    sheets = versions_of([session.pk])[(session.pk, judge.pk)]
    assert sheets.counted == first and sheets.pending == second
    with pytest.raises(DomainError, match="等待"):
        services.start_correction(session, actor=judge)
    with pytest.raises(DomainError, match="工作专班"):
        services.decide_correction(second, accepted=True, actor=judge)
    with pytest.raises(DomainError, match="理由"):
        services.decide_correction(second, accepted=False, actor=world.office)
    services.decide_correction(second, accepted=True, actor=world.office)
    sheets = versions_of([session.pk])[(session.pk, judge.pk)]
    assert sheets.counted == second and sheets.pending is None
    actions = list(AuditEntry.objects.filter(action__startswith="panels.correction").order_by("seq")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["panels.correction.request", "panels.correction.accept"]


def test_a_rejected_correction_leaves_the_first_sheet_counting(world, judges, session):
    judge = judges[0]
    first = fill_sheet(session, judge)
    services.start_correction(session, actor=judge)
    with pytest.raises(DomainError, match="没有改动"):
        services.submit_sheet(session, reason="没改", actor=judge)
    services.save_draft(session, {"T-town-a": ["1", "1", "1", "1"]}, actor=judge)
    second = services.submit_sheet(session, reason="重评", actor=judge)
    services.decide_correction(second, accepted=False, note="无依据", actor=world.office)
    with pytest.raises(DomainError, match="不是"):
        services.decide_correction(second, accepted=True, actor=world.office)
    sheets = versions_of([session.pk])[(session.pk, judge.pk)]
    assert sheets.counted == first and sheets.pending is None
    assert AuditEntry.objects.filter(action="panels.correction.reject").exists()


def test_it_does_not_close_while_a_correction_waits(world, judges, session):
    judge = judges[0]
    fill_sheet(session, judge)
    services.start_correction(session, actor=judge)
    services.save_draft(session, {"T-town-a": ["25", "25", "25", "25"]}, actor=judge)
    version = services.submit_sheet(session, reason="误录", actor=judge)
    with pytest.raises(DomainError, match="评委 judge 的更正"):
        services.close_session(session, actor=world.office)
    session.refresh_from_db()
    assert session.state == State.OPEN
    services.decide_correction(version, accepted=True, actor=world.office)
    services.close_session(session, actor=world.office)
    session.refresh_from_db()
    assert session.state == State.CLOSED and session.closed is not None
    entry = AuditEntry.objects.get(action="panels.session.close")
    assert entry.data["sheets"] == [f"panel-{session.pk}-{judge.pk}-v2"]
    assert sorted(entry.data["not_submitted"]) == ["judge-b", "judge-c"]
    with pytest.raises(DomainError, match="已结束"):
        services.close_session(session, actor=world.office)
    with pytest.raises(DomainError, match="未开放"):
        services.save_draft(session, {"T-town-a": ["20", "", "", ""]}, actor=judges[1])


def test_every_step_of_the_office_leaves_an_audit_entry(world, judges, session):
    services.set_reporting(session, "T-town-a", actor=world.office)
    services.close_session(session, actor=world.office)
    actions = list(AuditEntry.objects.filter(action__startswith="panels.").order_by("seq")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["panels.session.create", "panels.session.open", "panels.session.update",
                       "panels.session.close"]  # fmt: skip


def test_it_reads_ranks_in_rank_mode(world, judges):
    from sanhao.panels.models import PanelSession
    from sanhao.panels.selectors import rules_for
    from sanhao.panels.sheets import merge_cells

    probe = PanelSession(year=world.campaign, category="team", mode="rank")
    rules = rules_for(probe, [], None)
    object.__setattr__(rules, "candidates", {"T-a": "甲", "T-b": "乙"})
    assert merge_cells(rules, {}, {"T-a": ["2"], "T-b": ["1"]}) == {"T-a": ["2"], "T-b": ["1"]}
    with pytest.raises(DomainError, match="1 到 2"):
        merge_cells(rules, {}, {"T-a": ["3"]})
    with pytest.raises(DomainError, match="1 到 2"):
        merge_cells(rules, {}, {"T-a": ["1.5"]})
