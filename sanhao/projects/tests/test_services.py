"""Projects: who may register, edit, report and grade; rows never change; the status,
the lateness and the grade come from the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import Phase
from sanhao.campaigns.services import advance_phase
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.orgs import services as org_services
from sanhao.orgs.models import Person, Role
from sanhao.projects.models import Evidence, Grade, MilestoneUpdate, Project, ProjectRevision
from sanhao.projects.selectors import project_rows, ranking
from sanhao.projects.services import (
    current_revision,
    drop_project,
    grade_project,
    reinstate_project,
    revise_project,
    state_of,
    update_milestone,
)
from sanhao.projects.tests.helpers import PDF, milestone, project

TODAY = dt.date(2026, 11, 30)


def test_it_registers_a_project_with_its_first_revision_and_an_audit_entry(world):
    p = project(world)
    rev = current_revision(p)
    assert (p.unit, p.kind, rev.owner, rev.title) == (world.a, "secretary", world.posts["A0"],
                                                       "党建+基层治理")  # fmt: skip
    entry = AuditEntry.objects.get(action="projects.project.register")
    assert entry.data["unit"] == "town-a" and entry.data["kind"] == "secretary"
    assert entry.actor == world.liaison_a


@pytest.mark.parametrize(("kind", "owner", "message"), [
    ("secretary", "A1", "班长"),
    ("leader", "A2", "班长"),
    ("deputy", "A0", "班副争先项目的责任人必须是班副"),
    ("secretary", "B0", "必须在项目所属镇街任职"),
])  # fmt: skip
def test_it_refuses_an_owner_of_the_wrong_role_or_unit(world, kind, owner, message):
    with pytest.raises(DomainError, match=message):
        project(world, kind=kind, owner=world.posts[owner], actor=world.office)
    assert not Project.objects.exists()


def test_it_refuses_an_owner_whose_post_ended_before_the_year(world):
    person = org_services.create_person(code="X1", name="前任", gender=Person.Gender.MALE,
                                        actor=world.office)  # fmt: skip
    old = org_services.start_post(person, world.a, role=Role.DEPUTY, title="副镇长",
                                  start=dt.date(2019, 1, 1), end=dt.date(2025, 6, 1),
                                  actor=world.office)  # fmt: skip
    with pytest.raises(DomainError, match="2026 年内任该职务"):
        project(world, kind="deputy", owner=old)


def test_it_allows_one_project_of_a_kind_per_owner_and_year(world):
    project(world)
    with pytest.raises(DomainError, match="已有书记项目"):
        project(world, title="第二个")
    project(world, kind="leader", title="班长示范")  # another kind: fine
    assert Project.objects.count() == 2


@pytest.mark.parametrize("who", ["liaison_b", "judge", "viewer"])
def test_it_refuses_writers_other_than_the_office_and_the_units_liaison(world, who):
    with pytest.raises(DomainError, match="只能录入本镇街的项目"):
        project(world, actor=getattr(world, who))
    p = project(world)
    with pytest.raises(DomainError, match="只能录入本镇街的项目"):
        milestone(world, p, actor=getattr(world, who))
    assert not ProjectRevision.objects.filter(supersedes__isnull=False).exists()


def test_it_closes_the_liaisons_writes_at_the_evaluation(world):
    p = project(world)
    m = milestone(world, p)
    advance_phase(world.campaign, to=Phase.PROCESS, actor=world.office)
    update_milestone(m, action="note", text="已选址", actor=world.liaison_a)  # still open
    advance_phase(world.campaign, to=Phase.EVALUATION, actor=world.office)
    p.year.refresh_from_db()
    with pytest.raises(DomainError, match="考量比选阶段"):
        update_milestone(m, action="done", text="已建成", actor=world.liaison_a)
    with pytest.raises(DomainError, match="考量比选阶段"):
        project(world, kind="deputy")
    update_milestone(m, action="done", text="已建成", on=dt.date(2026, 6, 1), actor=world.office)
    assert state_of(m).state == "done"


def test_rows_never_change(world):
    p = project(world)
    m = milestone(world, p)
    update_milestone(m, action="note", text="进展", actor=world.liaison_a)
    grade_project(p, medal="gold", reason="成效明显", actor=world.office)
    for model in (Project, ProjectRevision, MilestoneUpdate, Grade):
        row = model.objects.first()
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
        with pytest.raises(AppendOnlyError):
            model.objects.update(created=None)


def test_a_correction_is_a_new_revision_with_a_reason(world):
    p = project(world)
    with pytest.raises(DomainError, match="更正须填写原因"):
        revise_project(p, title="新名称", goal="目标", owner=world.posts["A0"], reason=" ",
                       actor=world.liaison_a)  # fmt: skip
    with pytest.raises(DomainError, match="没有任何改动"):
        revise_project(p, title="党建+基层治理", goal="建成片区服务中心，下沉公共服务",
                       owner=world.posts["A0"], reason="核对", actor=world.liaison_a)  # fmt: skip
    new = revise_project(p, title="党建+基层治理三水样板", goal="目标", owner=world.posts["A0"],
                         reason="名称更准确", actor=world.liaison_a)  # fmt: skip
    assert current_revision(p) == new and new.supersedes.title == "党建+基层治理"
    assert ProjectRevision.objects.filter(project=p).count() == 2
    entry = AuditEntry.objects.get(action="projects.project.revise")
    assert entry.data["reason"] == "名称更准确"


def test_the_unit_drops_only_the_office_takes_back(world):
    p = project(world)
    with pytest.raises(DomainError, match="原因"):
        drop_project(p, reason="", actor=world.liaison_a)
    drop_project(p, reason="与其他项目合并", actor=world.liaison_a)
    assert project_rows(world.campaign)[0].status == "dropped"
    with pytest.raises(DomainError, match="已放弃"):
        milestone(world, p)
    with pytest.raises(DomainError, match="工作专班"):
        reinstate_project(p, reason="恢复", actor=world.liaison_a)
    with pytest.raises(DomainError, match="不参加评定"):
        grade_project(p, medal="gold", reason="好", actor=world.office)
    project(world, title="新的书记项目")  # the owner's slot is free again
    with pytest.raises(DomainError, match="已有书记项目"):
        reinstate_project(p, reason="恢复", actor=world.office)


def test_the_status_is_planned_in_progress_done_and_milestones_late_or_overdue(world):
    p = project(world)
    status = lambda: project_rows(world.campaign, today=TODAY)[0]  # noqa: E731
    assert status().status == "planned"
    first = milestone(world, p, due=dt.date(2026, 3, 31), title="选址")
    second = milestone(world, p, due=dt.date(2026, 9, 30), title="建成")
    assert status().status == "planned"
    update_milestone(first, action="note", text="已踏勘", actor=world.liaison_a)
    assert status().status == "in_progress"
    update_milestone(first, action="done", text="选址批复", on=dt.date(2026, 4, 10),
                     actor=world.liaison_a)  # fmt: skip
    row = status()
    assert row.status == "in_progress" and row.late == 2 and row.overdue == 1
    assert state_of(first).late(TODAY) and not state_of(first).overdue(TODAY)
    update_milestone(second, action="reschedule", text="受疫情影响", on=dt.date(2026, 12, 20),
                     actor=world.liaison_a)  # fmt: skip
    assert status().overdue == 0 and state_of(second).due_on == dt.date(2026, 12, 20)
    update_milestone(second, action="done", text="启用照片", on=dt.date(2026, 11, 1),
                     actor=world.liaison_a)  # fmt: skip
    row = status()
    assert row.status == "done" and row.done_count == 2 and row.late == 1


@pytest.mark.parametrize(("action", "kwargs", "message"), [
    ("done", {"text": " "}, "须填写佐证"),
    ("note", {"text": ""}, "请填写"),
    ("reschedule", {"text": "延期"}, "新的完成时限"),
    ("reschedule", {"text": "延期", "on": dt.date(2027, 1, 10)}, "不在 2026 年内"),
    ("done", {"text": "完成", "on": dt.date(2099, 1, 1)}, "不能晚于今天"),
    ("done", {"text": "完成", "on": dt.date(2025, 12, 1)}, "不能早于 2026 年"),
    ("drop", {"text": "不做了"}, "工作专班可以进行此操作"),
    ("reopen", {"text": "重开"}, "不能进行"),
    ("explode", {"text": "x"}, "未知的操作"),
])  # fmt: skip
def test_it_refuses_a_wrong_step_in_chinese(world, action, kwargs, message):
    m = milestone(world, project(world))
    with pytest.raises(DomainError, match=message):
        update_milestone(m, action=action, actor=world.liaison_a, **kwargs)
    assert not MilestoneUpdate.objects.exists()


def test_only_the_office_drops_and_reopens_a_milestone(world):
    m = milestone(world, project(world))
    update_milestone(m, action="done", text="完成", on=dt.date(2026, 5, 1), actor=world.liaison_a)
    with pytest.raises(DomainError, match="工作专班可以进行此操作"):
        update_milestone(m, action="reopen", text="佐证不足", actor=world.liaison_a)
    update_milestone(m, action="reopen", text="佐证不足", actor=world.office)
    assert state_of(m).state == "open"
    update_milestone(m, action="drop", text="并入其他节点", actor=world.office)
    assert state_of(m).state == "dropped"
    assert project_rows(world.campaign)[0].status == "in_progress"  # nothing left but dropped


def test_evidence_is_checked_by_content_and_nothing_is_saved_when_refused(world, settings):
    m = milestone(world, project(world))
    exe = SimpleUploadedFile("佐证.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(DomainError, match="只能上传 PDF"):
        update_milestone(m, action="done", text="完成", file=exe, actor=world.liaison_a)
    assert not MilestoneUpdate.objects.exists() and not Evidence.objects.exists()
    root = settings.MEDIA_ROOT
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
    pdf = SimpleUploadedFile("../../验收报告.PDF", PDF)
    update_milestone(m, action="done", text="完成", file=pdf, actor=world.liaison_a)
    evidence = Evidence.objects.get()
    assert evidence.name == "验收报告.pdf" and evidence.kind == "pdf"
    assert evidence.stored_name.startswith("projects/") and "验收" not in evidence.stored_name
    entry = AuditEntry.objects.get(action="projects.milestone.update")
    assert entry.data["file"]["sha256"] == evidence.sha256
    with pytest.raises(DomainError, match="佐证材料只能"):
        update_milestone(m, action="reopen", text="重开", file=SimpleUploadedFile("a.pdf", PDF),
                         actor=world.office)  # fmt: skip


@pytest.mark.parametrize("who", ["liaison_a", "viewer", "judge"])
def test_only_the_office_grades(world, who):
    p = project(world)
    with pytest.raises(DomainError, match="工作专班"):
        grade_project(p, medal="gold", reason="好", actor=getattr(world, who))
    assert not Grade.objects.exists()


@pytest.mark.parametrize(("medal", "points", "reason", "message"), [
    ("gold", None, " ", "须填写理由"),
    ("none", None, "无", "请评定等次或分值"),
    ("gold", "101", "好", "0 到 100"),
    ("gold", "-1", "好", "0 到 100"),
    ("gold", "abc", "好", "0 到 100"),
    ("gold", "90.125", "好", "两位小数"),
    ("platinum", None, "好", "未知的等次"),
])  # fmt: skip
def test_it_refuses_a_wrong_grade_in_chinese(world, medal, points, reason, message):
    with pytest.raises(DomainError, match=message):
        grade_project(project(world), medal=medal, points=points, reason=reason,
                      actor=world.office)  # fmt: skip
    assert not Grade.objects.exists()


def test_the_newest_grade_counts_and_the_earlier_stay(world):
    p = project(world)
    first = grade_project(p, medal="silver", points="85", reason="初评", actor=world.office)
    with pytest.raises(DomainError, match="已是这一评定结果"):
        grade_project(p, medal="silver", points=Decimal("85.00"), reason="再评", actor=world.office)
    grade_project(p, medal="gold", points="92.5", reason="复评上调", actor=world.office)
    row = project_rows(world.campaign)[0]
    assert row.grade.medal == "gold" and row.grade.points == Decimal("92.50")
    assert Grade.objects.filter(project=p).count() == 2 and Grade.objects.get(pk=first.pk)
    grade_project(p, medal="none", reason="撤销评定", actor=world.office)  # clears
    assert not project_rows(world.campaign)[0].graded
    entries = AuditEntry.objects.filter(action="projects.grade.add").order_by("seq")
    assert [e.data["points"] for e in entries] == ["85.00", "92.50", None]


def test_the_ranking_orders_by_points_then_award_with_competition_ranks(world):
    from sanhao.conftest import make_team
    from sanhao.orgs.models import Unit

    graded = []
    for index, (medal, points) in enumerate([("silver", "88"), ("gold", "95"), ("gold", "88"),
                                             ("bronze", "88"), ("gold", "88"), ("gold", None),
                                             ("silver", None)]):  # fmt: skip
        unit = org_services.create_unit(world.district, code=f"r{index}", name=f"排名{index}镇",
                                        kind=Unit.Kind.TOWN, order=10 + index, actor=world.office)  # fmt: skip
        team = make_team(unit, f"R{index}-", [f"书记{index}"], actor=world.office,
                         start=dt.date(2021, 10, 1))  # fmt: skip
        from sanhao.projects.services import register_project

        p = register_project(world.campaign, unit, kind="secretary", owner=team[f"R{index}-0"],
                             title=f"项目{index}", goal="目标", actor=world.office)  # fmt: skip
        grade_project(p, medal=medal, points=points, reason="评定", actor=world.office)
        graded.append(p)
    project(world)  # not graded
    project(world, unit="B", kind="leader", actor=world.office)  # another kind
    ranked, ungraded = ranking(world.campaign, "secretary")
    assert [(r.revision.title, r.rank, r.tied) for r in ranked] == [
        ("项目1", 1, False),
        ("项目2", 2, True), ("项目4", 2, True),  # gold 88 twice
        ("项目0", 4, False),  # silver 88
        ("项目3", 5, False),  # bronze 88
        ("项目5", 6, False),  # gold, no points: after every pointed project
        ("项目6", 7, False),
    ]  # fmt: skip
    assert [r.revision.title for r in ungraded] == ["党建+基层治理"]


def test_every_write_leaves_one_audit_entry(world):
    def count():
        return AuditEntry.objects.filter(action__startswith="projects.").count()

    steps = []
    p = project(world)
    steps.append(count())
    m = milestone(world, p)
    steps.append(count())
    update_milestone(m, action="done", text="完成", on=dt.date(2026, 5, 1), actor=world.liaison_a)
    steps.append(count())
    revise_project(p, title="新名称", goal="目标", owner=world.posts["A0"], reason="更准确",
                   actor=world.liaison_a)  # fmt: skip
    steps.append(count())
    grade_project(p, medal="bronze", reason="评定", actor=world.office)
    steps.append(count())
    drop_project(p, reason="合并", actor=world.liaison_a)
    steps.append(count())
    reinstate_project(p, reason="恢复", actor=world.office)
    steps.append(count())
    assert steps == [1, 2, 3, 4, 5, 6, 7]
    actions = list(AuditEntry.objects.filter(action__startswith="projects.").order_by("seq")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["projects.project.register", "projects.milestone.add",
                       "projects.milestone.update", "projects.project.revise",
                       "projects.grade.add", "projects.project.drop",
                       "projects.project.reinstate"]  # fmt: skip
