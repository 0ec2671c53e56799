"""The scheme editor: each section edited through its page and read back by the engine; the
engine's messages beside the fields; nothing saved unless valid; the lock; who may edit."""

from __future__ import annotations

from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.services import advance_phase
from sanhao.rankings.editor import SECTIONS
from sanhao.rankings.models import SchemeVersion
from sanhao.rankings.services import check_scheme, current_scheme, save_scheme_version
from sanhao.rankings.tests.conftest import more_deputies
from sanhao.scoring import Category


def url(world, section: str) -> str:
    return reverse("rankings:scheme_section", kwargs={"pk": world.campaign.pk, "section": section})


def submitted(response) -> dict[str, Any]:
    """What a browser sends back for the page as shown: every field's value (a ticked box
    as "on", an unticked one and a disabled field not at all)."""
    data: dict[str, Any] = {}
    forms = [response.context["meta"]]
    for part in response.context["parts"]:
        if part.form is not None:
            forms.append(part.form)
        else:
            forms += [part.formset.management_form, *part.formset.forms]
    for form in forms:
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            else:
                data[field.html_name] = "" if value is None else value
    return data


class Editor:
    def __init__(self, world, section: str, user=None) -> None:
        self.client = world.client_for(user or world.office)
        self.url = url(world, section)
        page = self.client.get(self.url)
        assert page.status_code == 200
        self.data = submitted(page)

    def post(self, **changes: Any):
        data = {**self.data, **{k.replace("__", "-"): v for k, v in changes.items()}}
        return self.client.post(self.url, data)


def versions(world) -> int:
    return SchemeVersion.objects.filter(year=world.campaign).count()


def scheme(world):
    return check_scheme(current_scheme(world.campaign).source)


def saved(response, world, number: int = 2):
    assert response.status_code == 302, unescape(response.content.decode())[-3000:]
    assert current_scheme(world.campaign).number == number
    return scheme(world)


def body(response) -> str:
    return unescape(response.content.decode())


def field_errors(response, part_key: str, row: int | None, name: str | None) -> list[str]:
    part = next(p for p in response.context["parts"] if p.key == part_key)
    form = part.form if row is None else part.formset.forms[row]
    return list(form.errors.get(name or "__all__", []))


# Every section -----------------------------------------------------------------------------


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_it_saves_nothing_when_a_section_is_sent_back_unchanged(world, section):
    response = Editor(world, section).post()
    assert response.status_code == 200
    assert "方案与第 1 版相同" in body(response) or "没有变化" in body(response)
    assert versions(world) == 1


def test_it_edits_the_categories_weights_quotas_and_gates(world):
    response = Editor(world, "categories").post(
        deputy__quota="20", team__weight_K="0.5", team__weight_P="0.2", leader__threshold="60",
        deputy__unit_cap="3", team__name="好班子（镇街）", leader__min_months_in_post="8",
        scheme__title="2026 年度三好创争方案（修订）",
    )  # fmt: skip
    got = saved(response, world)
    team, leader = got.categories[Category.TEAM], got.categories[Category.LEADER]
    deputy = got.categories[Category.DEPUTY]
    assert team.weights == {"K": Decimal("0.5"), "P": Decimal("0.2"), "M": Decimal("0.3")}
    assert team.name == "好班子（镇街）" and deputy.quota == 20 and deputy.unit_cap == 3
    assert leader.threshold == Decimal(60) and leader.min_months_in_post == 8
    assert leader.team_bottom_gate is True  # the ticked box stays ticked
    assert got.title == "2026 年度三好创争方案（修订）"
    assert got.version == "2026.2"  # the platform's numbering follows the version
    assert len(got.guidance) == 27  # the rest of the scheme as it was


def test_it_unticks_a_gate(world):
    editor = Editor(world, "categories")
    del editor.data["leader-team_bottom_gate"]
    got = saved(editor.post(), world)
    assert got.categories[Category.LEADER].team_bottom_gate is False


def test_it_edits_the_standards_and_their_descriptions_and_moves_the_checklist_along(world):
    before = [g for g in scheme(world).guidance if g.dimension == "凝聚力强"]
    response = Editor(world, "dimensions").post(
        **{"dim-team-1-name": "团结力强", "dim-team-1-description": "班子团结，令行禁止",
           "dim-deputy-3-description": "业务精通"}
    )  # fmt: skip
    got = saved(response, world)
    team = got.categories[Category.TEAM]
    assert team.dimensions == ("引领力强", "团结力强", "战斗力强", "公信力强")
    assert team.descriptions[1] == "班子团结，令行禁止"
    assert got.categories[Category.DEPUTY].descriptions[3] == "业务精通"
    moved = [g for g in got.guidance if g.id in {b.id for b in before}]
    assert len(moved) == 2 and {g.dimension for g in moved} == {"团结力强"}


def test_it_adds_a_fifth_standard(world):
    response = Editor(world, "dimensions").post(
        **{"dim-leader-4-name": "廉洁自律好", "dim-leader-4-description": "严守纪律规矩"}
    )
    leader = saved(response, world).categories[Category.LEADER]
    assert leader.dimensions[-1] == "廉洁自律好" and len(leader.descriptions) == 5


def test_it_edits_adds_and_removes_checklist_items(world):
    response = Editor(world, "guidance").post(
        **{"g-0-text": "中心组每月集体学习，并形成调研成果", "g-1-dimension": "凝聚力强",
           "g-26-DELETE": "on",
           "g-27-category": "leader", "g-27-dimension": "发展本领高",
           "g-27-text": "策划举办产业展会，签约金额过亿元"}
    )  # fmt: skip
    got = saved(response, world)
    assert len(got.guidance) == 27
    assert got.guidance[0].text == "中心组每月集体学习，并形成调研成果"
    assert got.guidance[1].dimension == "凝聚力强"
    new = got.guidance[-1]
    assert (new.id, new.category, new.dimension) == ("g28", Category.LEADER, "发展本领高")
    assert "潜心学习分管领域政策法规，牵头起草重要方案" not in [g.text for g in got.guidance]


def test_it_edits_and_adds_indicators_with_their_unit_of_measure(world):
    response = Editor(world, "indicators").post(
        **{"ind-0-unit": "万元", "ind-0-points": "２５",  # full-width digits, as typed
           "ind-3-id": "major_projects", "ind-3-name": "重大项目", "ind-3-unit": "个",
           "ind-3-points": "10", "ind-3-direction": "higher", "ind-3-growth_method": "rank"}
    )  # fmt: skip
    got = saved(response, world)
    sales, *_, projects = got.indicators
    assert (sales.unit, sales.points) == ("万元", Decimal(25))
    assert (projects.id, projects.name, projects.unit, projects.points) == (
        "major_projects", "重大项目", "个", Decimal(10),
    )  # fmt: skip
    assert projects.growth_method == "rank" and projects.alpha == Decimal("0.5")


def test_it_keeps_an_indicator_id_once_saved(world):
    got = saved(Editor(world, "indicators").post(**{"ind-0-id": "renamed",
                                                    "ind-0-name": "工业开票销售"}), world)  # fmt: skip
    assert (got.indicators[0].id, got.indicators[0].name) == ("sales", "工业开票销售")


def test_it_edits_the_record_types_and_their_expected_counts(world):
    response = Editor(world, "records").post(
        **{"process-points": "12", "rec-1-expected": "10",
           "rec-2-type": "talk", "rec-2-name": "书记谈", "rec-2-expected": "4"}
    )  # fmt: skip
    got = saved(response, world)
    assert got.process_points == Decimal(12)
    assert [(r.type, r.name, r.expected) for r in got.records] == [
        ("study", "中心组月学", 12), ("supervision", "党委会月督", 10), ("talk", "书记谈", 4),
    ]  # fmt: skip


def test_it_edits_bonus_deduction_and_veto_kinds(world):
    response = Editor(world, "items").post(
        **{"totals-bonus_max": "6", "totals-deduction_max": "8",
           "bonus-1-points": "2.5", "bonus-1-cap": "5",
           "ded-3-id": "shirking", "ded-3-name": "推诿扯皮", "ded-3-points": "0.125",
           "ded-3-cap": "1",
           "veto-3-DELETE": "on", "veto-4-id": "major_petition", "veto-4-name": "重大群体性事件"}
    )  # fmt: skip
    got = saved(response, world)
    assert got.bonus_max == 6 and got.deduction_max == 8
    honour = got.bonus_items[1]
    assert (honour.id, honour.points, honour.cap) == ("honour", Decimal("2.5"), Decimal(5))
    assert got.deduction_items[-1] == type(honour)("shirking", "推诿扯皮", Decimal("0.125"),
                                                   Decimal(1))  # fmt: skip
    assert got.veto_kinds == {
        "safety_incident": "重大安全事故", "environmental_incident": "重大环境事件",
        "disciplinary_sanction": "党纪政务处分", "major_petition": "重大群体性事件",
    }  # fmt: skip


def test_it_edits_the_voter_groups_and_their_weights_per_category(world):
    response = Editor(world, "voters").post(
        **{"grp-0-weight_leader": "0.4", "grp-3-name": "党代表、人大代表、政协委员及群众",
           "grp-4-id": "retired", "grp-4-name": "老干部", "grp-4-weight_team": "0.1",
           "grp-4-weight_leader": "0.1", "grp-4-weight_deputy": "0.1"}
    )  # fmt: skip
    got = saved(response, world)
    leader = got.categories[Category.LEADER].ballot
    assert leader.group_weights == tuple(Decimal(w) for w in ("0.4", "0.3", "0.2", "0.2", "0.1"))
    assert got.groups[-1] == "retired"
    for rules in got.categories.values():
        assert rules.ballot.groups == got.groups
        assert rules.ballot.group_names[3] == "党代表、人大代表、政协委员及群众"


# The engine's messages beside the fields --------------------------------------------------


def refused(response, world) -> str:
    assert response.status_code == 200
    assert versions(world) == 1
    assert not AuditEntry.objects.filter(action="rankings.scheme.save").exists()
    return body(response)


def test_it_shows_the_engine_message_beside_a_wrong_number(world):
    response = Editor(world, "indicators").post(**{"ind-1-points": "三十"})
    text = refused(response, world)
    assert field_errors(response, "indicators", 1, "points") == ['应为数字，现为 "三十"']
    assert '<code>scheme.indicators[1].points</code> 应为数字，现为 "三十"' in text
    assert "计分引擎发现 1 处问题，没有保存" in text
    assert 'value="三十"' in text  # what was typed stays, to mend


def test_it_shows_a_weight_sum_beside_the_weights(world):
    response = Editor(world, "categories").post(team__weight_K="0.5")
    refused(response, world)
    assert field_errors(response, "team", None, "weight_K") == [
        "K、P、M 的权重之和应恰好为 1，现为 1.1"
    ]


def test_it_shows_a_whole_number_error_beside_the_quota(world):
    response = Editor(world, "categories").post(deputy__quota="1.5")
    refused(response, world)
    assert field_errors(response, "deputy", None, "quota") == ["应为整数，现为 1.5"]


def test_it_shows_a_dimension_of_another_category_beside_the_item(world):
    response = Editor(world, "guidance").post(**{"g-2-dimension": "政治素质优"})
    refused(response, world)
    assert field_errors(response, "guidance", 2, "dimension") == [
        "“好班子”没有评价维度“政治素质优”，应为 引领力强、凝聚力强、战斗力强、公信力强 之一"
    ]


def test_it_shows_an_empty_id_and_a_repeated_type_beside_their_rows(world):
    response = Editor(world, "records").post(
        **{"rec-2-type": "study", "rec-2-name": "重复", "rec-2-expected": "4",
           "rec-3-name": "无编号", "rec-3-expected": "2"}
    )  # fmt: skip
    refused(response, world)
    assert field_errors(response, "records", 3, "type") == ["不能为空"]
    response = Editor(world, "records").post(
        **{"rec-2-type": "study", "rec-2-name": "重复", "rec-2-expected": "4"}
    )
    assert field_errors(response, "records", 2, "type") == ["记录类型重复：study"]


def test_it_lists_a_problem_outside_the_section_with_its_place(world):
    """Removing a standard leaves checklist items under it: the engine says where."""
    response = Editor(world, "dimensions").post(**{"dim-team-3-DELETE": "on"})
    text = refused(response, world)
    assert "本节以外的问题" in text
    assert "<code>scheme.guidance[7].dimension</code> “好班子”没有评价维度“公信力强”" in text


def test_it_refuses_a_section_with_no_indicator_group(world):
    editor = Editor(world, "voters")
    changes = {f"grp-{i}-DELETE": "on" for i in range(4)}
    response = editor.post(**changes)
    refused(response, world)
    part = response.context["parts"][0]
    assert "至少应有 1 项" in part.errors[0]


# Versions, the lock, the audit -------------------------------------------------------------


def test_it_records_the_section_in_the_audit_entry(world):
    saved(Editor(world, "categories").post(deputy__quota="20"), world)
    entry = AuditEntry.objects.get(action="rankings.scheme.save")
    assert entry.data["via"] == "editor:categories" and entry.data["number"] == 2


def test_it_asks_a_reason_beside_the_field_once_locked(world):
    year = world.campaign
    for to in ("process", "evaluation"):
        year = advance_phase(year, to=to, actor=world.office)
    editor = Editor(world, "categories")
    assert "方案已锁定" in body(editor.client.get(editor.url))
    response = editor.post(deputy__quota="20")
    refused(response, world)
    assert "需要说明理由" in " ".join(response.context["meta"].errors["reason"])
    got = saved(editor.post(deputy__quota="20", meta__reason="增加班副名额"), world)
    assert got.categories[Category.DEPUTY].quota == 20
    assert current_scheme(world.campaign).reason == "增加班副名额"


def test_it_refuses_a_change_made_on_an_older_version(world, source):
    editor = Editor(world, "categories")
    save_scheme_version(world.campaign, more_deputies(source), reason="", actor=world.office)
    response = editor.post(team__quota="5")
    assert response.status_code == 302 and response["Location"] == editor.url
    assert versions(world) == 2
    assert scheme(world).categories[Category.TEAM].quota == 4
    assert "方案在您编辑期间已有变化" in body(editor.client.get(editor.url))


def test_a_saved_section_downloads_as_a_scheme_file_that_imports_as_the_same_scheme(world):
    saved(Editor(world, "indicators").post(**{"ind-2-unit": "万元"}), world)
    client = world.client_for(world.office)
    download = client.get(reverse("rankings:scheme_download", kwargs={"pk": world.campaign.pk}))
    text = download.content.decode()
    assert text.startswith("# 2026 年度三好创争方案，第 2 版，由方案编辑器保存。")
    assert check_scheme(text).source_hash == current_scheme(world.campaign).scheme_hash
    response = client.post(reverse("rankings:scheme_edit", kwargs={"pk": world.campaign.pk}),
                           {"source": text, "reason": ""})  # fmt: skip
    assert "与第 2 版" in body(response) and versions(world) == 2  # unchanged, not saved again


# Who may edit -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "liaison_a", "judge"])
def test_only_the_office_edits_a_section(world, role):
    client = world.client_for(getattr(world, role))
    assert client.get(url(world, "indicators")).status_code == 403
    assert client.post(url(world, "indicators"), {"ind-0-points": "1"}).status_code == 403
    assert versions(world) == 1


def test_an_unknown_section_is_not_found(world):
    assert world.client_for(world.office).get(url(world, "colours")).status_code == 404


def test_it_shows_every_section_with_a_constant_number_of_queries(
    world, django_assert_max_num_queries
):
    client = world.client_for(world.office)
    client.get(url(world, "guidance"))
    for section in SECTIONS:
        with django_assert_max_num_queries(12):
            assert client.get(url(world, section)).status_code == 200
