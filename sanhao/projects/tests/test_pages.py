"""The project pages by role: readers read, the unit's liaison and the office write, the
office grades; another unit's project, milestone or file is 404 to a liaison."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanhao.campaigns.models import Phase
from sanhao.campaigns.services import advance_phase
from sanhao.projects.models import Evidence, Grade, Milestone, MilestoneUpdate, Project
from sanhao.projects.services import grade_project, update_milestone
from sanhao.projects.tests.helpers import PDF, milestone, project


def url(world, name, **kwargs):
    return reverse(f"projects:{name}", kwargs={"pk": world.campaign.pk, **kwargs})


def detail(world, p):
    return url(world, "detail", project_pk=p.pk)


@pytest.mark.parametrize("who", ["office", "viewer", "liaison_a"])
def test_readers_open_the_lists_and_the_project(world, who):
    p = project(world, title="甲镇书记项目")
    milestone(world, p, title="建成服务中心")
    client = world.client_for(getattr(world, who))
    for page in (url(world, "year_list"), url(world, "unit_projects", code=world.a.code)):
        body = client.get(page).content.decode()
        assert "甲镇书记项目" in body and "书记项目" in body and "甲书记" in body
    body = client.get(detail(world, p)).content.decode()
    assert "建成服务中心" in body and "未启动" in body


def test_a_judge_gets_403_everywhere(world):
    p = project(world)
    client = world.client_for(world.judge)
    for page in (url(world, "year_list"), url(world, "ranking"), detail(world, p),
                 url(world, "unit_projects", code=world.a.code)):  # fmt: skip
        assert client.get(page).status_code == 403


def test_a_liaison_sees_only_their_unit_and_gets_404_on_another(world):
    project(world, title="甲镇的项目")
    other = project(world, unit="B", title="乙街道的项目")
    m = milestone(world, other)
    update_milestone(m, action="done", text="完成", file=SimpleUploadedFile("b.pdf", PDF),
                     actor=world.liaison_b)  # fmt: skip
    client = world.client_for(world.liaison_a)
    body = client.get(url(world, "year_list")).content.decode()
    assert "甲镇的项目" in body and "乙街道" not in body
    assert (
        client.get(url(world, "year_list"), {"unit": world.b.code})
        .content.decode()
        .count("乙街道的项目")
        == 0
    )
    assert client.get(detail(world, other)).status_code == 404
    assert client.get(url(world, "unit_projects", code=world.b.code)).status_code == 404
    evidence = Evidence.objects.get()
    assert client.get(url(world, "download", evidence_pk=evidence.pk)).status_code == 404
    response = client.post(url(world, "update_milestone", milestone_pk=m.pk),
                           {"action": "note", "text": "x"})  # fmt: skip
    assert response.status_code == 404
    for name in ("revise", "drop", "add_milestone", "grade", "reinstate"):
        assert (
            client.post(url(world, name, project_pk=other.pk), {"reason": "x"}).status_code == 404
        )
    assert client.get(url(world, "ranking")).status_code == 403
    assert MilestoneUpdate.objects.count() == 1 and Milestone.objects.count() == 1


def test_the_liaison_registers_a_project_adds_milestones_and_reports_with_evidence(world):
    client = world.client_for(world.liaison_a)
    response = client.post(url(world, "unit_projects", code=world.a.code), {
        "kind": "deputy", "owner": world.posts["A1"].pk, "title": "招商项目落地周报",
        "goal": "每个签约项目按周跟踪",
    }, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "项目已登记" in body and "招商项目落地周报" in body
    p = Project.objects.get()
    response = client.post(url(world, "add_milestone", project_pk=p.pk),
                           {"title": "建立周报制度", "due_on": "2026年5月31日"}, follow=True)  # fmt: skip
    assert "已添加节点" in response.content.decode()
    m = Milestone.objects.get()
    assert m.due_on == dt.date(2026, 5, 31)
    response = client.post(url(world, "update_milestone", milestone_pk=m.pk), {
        "action": "done", "text": "周报模板及首期周报", "on": "2026-05-30",
        "file": SimpleUploadedFile("首期周报.pdf", PDF),
    }, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "已报送进展" in body and "2026-05-30 完成" in body and "首期周报.pdf" in body
    evidence = Evidence.objects.get()
    download = client.get(url(world, "download", evidence_pk=evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert (
        world.client_for(world.viewer)
        .get(url(world, "download", evidence_pk=evidence.pk))
        .status_code
        == 200
    )
    assert url(world, "grade", project_pk=p.pk) not in body  # the liaison does not grade


def test_the_pages_refuse_bad_input_in_chinese_and_save_nothing(world):
    client = world.client_for(world.liaison_a)
    response = client.post(url(world, "unit_projects", code=world.a.code), {
        "kind": "secretary", "owner": world.posts["A1"].pk, "title": "x", "goal": "y",
    })  # fmt: skip
    assert response.status_code == 200 and "必须是班长" in response.content.decode()
    response = client.post(url(world, "unit_projects", code=world.a.code), {"kind": "secretary"})
    assert "这个字段是必填项" in response.content.decode()
    assert not Project.objects.exists()
    p = project(world)
    response = client.post(url(world, "add_milestone", project_pk=p.pk),
                           {"title": "节点", "due_on": "2027-01-05"}, follow=True)  # fmt: skip
    assert "节点未保存：完成时限 2027-01-05 不在 2026 年内" in response.content.decode()
    response = client.post(url(world, "add_milestone", project_pk=p.pk),
                           {"title": "节点", "due_on": "明天"}, follow=True)  # fmt: skip
    assert "节点未保存：完成时限：" in response.content.decode()
    m = milestone(world, p)
    response = client.post(url(world, "update_milestone", milestone_pk=m.pk), {
        "action": "done", "text": "完成", "file": SimpleUploadedFile("x.pdf", b"<html>"),
    }, follow=True)  # fmt: skip
    assert "进展未保存：" in response.content.decode()
    assert not MilestoneUpdate.objects.exists() and not Evidence.objects.exists()
    office = world.client_for(world.office)
    response = office.post(url(world, "grade", project_pk=p.pk),
                           {"medal": "gold", "points": "120", "reason": "好"}, follow=True)  # fmt: skip
    assert "评定未保存：分值：" in response.content.decode()
    assert not Grade.objects.exists()


def test_the_office_grades_and_regrades_and_the_ranking_shows_ties(world):
    a = project(world, title="甲镇的项目")
    b = project(world, unit="B", title="乙街道的项目")
    office = world.client_for(world.office)
    for p in (a, b):
        response = office.post(url(world, "grade", project_pk=p.pk),
                               {"medal": "silver", "points": "88.5", "reason": "初评"}, follow=True)  # fmt: skip
        assert "已记录评定" in response.content.decode()
    body = office.get(url(world, "ranking")).content.decode()
    assert body.count("（并列）") == 2 and "甲镇的项目" in body and "乙街道的项目" in body
    office.post(url(world, "grade", project_pk=b.pk),
                {"medal": "gold", "points": "95", "reason": "复评"})  # fmt: skip
    body = office.get(url(world, "ranking")).content.decode()
    assert "（并列）" not in body and body.index("乙街道的项目") < body.index("甲镇的项目")
    page = office.get(detail(world, b)).content.decode()
    assert "初评" in page and "复评" in page and "（现行）" in page
    assert world.client_for(world.viewer).get(url(world, "ranking")).status_code == 200


@pytest.mark.parametrize("who", ["liaison_a", "viewer", "judge"])
def test_only_the_office_grades_and_takes_back_on_the_pages(world, who):
    p = project(world)
    client = world.client_for(getattr(world, who))
    response = client.post(url(world, "grade", project_pk=p.pk),
                           {"medal": "gold", "reason": "好"})  # fmt: skip
    assert response.status_code == 403
    assert client.post(url(world, "reinstate", project_pk=p.pk), {"reason": "x"}).status_code == 403
    assert not Grade.objects.exists()


def test_the_viewer_reads_but_never_writes(world):
    p = project(world)
    client = world.client_for(world.viewer)
    body = client.get(detail(world, p)).content.decode()
    assert url(world, "add_milestone", project_pk=p.pk) not in body
    response = client.post(url(world, "unit_projects", code=world.a.code),
                           {"kind": "deputy", "owner": world.posts["A1"].pk, "title": "x",
                            "goal": "y"})  # fmt: skip
    assert response.status_code == 403
    assert client.post(url(world, "add_milestone", project_pk=p.pk),
                       {"title": "x", "due_on": "2026-05-01"}).status_code == 403  # fmt: skip
    assert Project.objects.count() == 1 and not Milestone.objects.exists()


def test_the_liaison_loses_the_forms_at_the_evaluation(world):
    p = project(world)
    m = milestone(world, p)
    advance_phase(world.campaign, to=Phase.PROCESS, actor=world.office)
    advance_phase(world.campaign, to=Phase.EVALUATION, actor=world.office)
    client = world.client_for(world.liaison_a)
    body = client.get(detail(world, p)).content.decode()
    assert url(world, "update_milestone", milestone_pk=m.pk) not in body
    assert (
        "登记项目"
        not in client.get(url(world, "unit_projects", code=world.a.code)).content.decode()
    )
    response = client.post(url(world, "update_milestone", milestone_pk=m.pk),
                           {"action": "note", "text": "进展"})  # fmt: skip
    assert response.status_code == 403 and not MilestoneUpdate.objects.exists()


def test_the_unit_page_and_home_link_to_the_projects(world):
    for who, target in (("liaison_a", url(world, "unit_projects", code=world.a.code)),
                        ("office", url(world, "year_list"))):  # fmt: skip
        client = world.client_for(getattr(world, who))
        assert target in client.get(reverse("home")).content.decode()
    page = world.client_for(world.liaison_a).get(
        reverse("orgs:unit_detail", kwargs={"code": world.a.code})
    )
    assert url(world, "unit_projects", code=world.a.code) in page.content.decode()


def test_the_year_list_filters_by_kind_and_unit(world):
    project(world, title="甲镇书记项目")
    project(world, kind="deputy", title="甲镇班副项目")
    project(world, unit="B", title="乙街道书记项目")
    grade_project(Project.objects.first(), medal="gold", reason="好", actor=world.office)
    client = world.client_for(world.office)
    body = client.get(url(world, "year_list"), {"kind": "deputy"}).content.decode()
    assert "甲镇班副项目" in body and "书记项目</a>" not in body
    body = client.get(url(world, "year_list"), {"unit": world.b.code}).content.decode()
    assert "乙街道书记项目" in body and "甲镇书记项目" not in body
    body = client.get(url(world, "year_list"), {"kind": "nonsense"}).content.decode()
    assert body.count("项目</a>") == 3


def test_the_history_names_each_revision(world):
    from sanhao.projects.services import drop_project, reinstate_project, revise_project

    p = project(world)
    revise_project(p, title="新名称", goal="目标", owner=world.posts["A0"], reason="更准确",
                   actor=world.liaison_a)  # fmt: skip
    drop_project(p, reason="合并到其他项目", actor=world.liaison_a)
    reinstate_project(p, reason="专班研究后恢复", actor=world.office)
    body = world.client_for(world.viewer).get(detail(world, p)).content.decode()
    history = body.split("项目变更记录")[1]
    for word in ("登记", "更正", "已放弃", "恢复", "合并到其他项目", "专班研究后恢复"):
        assert word in history, word
    assert history.index("已放弃") < history.index("恢复：")
