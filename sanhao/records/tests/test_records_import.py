"""Process records through Excel: the template, the all-or-nothing import, who may."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import Phase
from sanhao.records.models import ProcessRecord
from sanhao.records.tests.helpers import add

HEADER = [
    "单位代码*",
    "单位名称",
    "记录类型*",
    "期次",
    "召开日期*",
    "主题*",
    "缺席人员及原因",
    "内容摘要",
]


def workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "过程记录"
    ws.append(["2026年过程记录（全程管控）"])
    ws.merge_cells("A1:H1")
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, world, data, unit=None):
    url = reverse("records:records_import", kwargs={"pk": world.campaign.pk})
    fields = {"file": SimpleUploadedFile("记录.xlsx", data)}
    if unit:
        fields["unit"] = unit
    return client.post(url, fields)


def problems(response) -> str:
    return " ".join(str(p) for p in response.context["report"].problems)


def test_it_gives_a_template_with_the_types_and_the_team(world):
    url = reverse("records:records_template", kwargs={"pk": world.campaign.pk})
    response = world.client_for(world.liaison_a).get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    ws = book["过程记录"]
    assert [c.value for c in ws[2]] == HEADER
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value] == [
        "town-a"
    ]
    notes = " ".join(str(c.value) for c in book["说明"]["A"] if c.value)
    assert "中心组月学" in notes and "甲副镇长" in notes and "乙书记" not in notes
    assert world.client_for(world.liaison_a).get(url, {"unit": "town-b"}).status_code == 404
    assert world.client_for(world.viewer).get(url).status_code == 403


def test_it_imports_every_row_through_the_service(world):
    data = workbook([
        ["town-a", "甲镇", "中心组月学", "3月", dt.datetime(2026, 3, 12), "学习二十届三中全会精神",
         "甲副镇长（出差）", "集中学习"],
        ["town-a", "甲镇", "supervision", None, "2026年4月8日", "督查项目进度", None, None],
        ["town-b", "乙街道", "中心组月学", 1, "2026-01-20", "理论学习", "乙书记：参加市里会议；B002（病假）", None],
        [None, None, None, None, None, None, None, None],
    ])  # fmt: skip
    response = upload(world.client_for(world.office), world, data)
    assert response.status_code == 302, problems(response)
    records = {(r.unit.code, r.type, r.period): r for r in ProcessRecord.objects.all()}
    assert set(records) == {
        ("town-a", "study", 3),
        ("town-a", "supervision", 4),
        ("town-b", "study", 1),
    }
    march = records[("town-a", "study", 3)]
    assert march.held_on == dt.date(2026, 3, 12) and march.text == "集中学习"
    assert [(a["name"], a["present"], a["reason"]) for a in march.attendance] == [
        ("甲书记", True, ""),
        ("甲镇长", True, ""),
        ("甲副镇长", False, "出差"),
    ]
    assert len(records[("town-b", "study", 1)].absent) == 2
    assert AuditEntry.objects.filter(action="records.record.add").count() == 3
    assert AuditEntry.objects.get(action="records.records.import").data["created"] == 3


def test_it_saves_nothing_and_locates_every_problem(world):
    add(world, world.a, type="study", period=2)
    data = workbook([
        ["town-a", "", "中心组月学", 1, "2026-01-10", "学习", "张三（出差）", None],
        ["town-a", "", "夜读沙龙", 1, "2026-01-10", "学习", None, None],
        ["town-a", "", "中心组月学", 13, "2025-12-30", "", "甲书记", None],
        ["town-a", "", "中心组月学", 2, "2026-02-10", "学习", None, None],
        ["town-a", "", "党委会月督", 5, "2026-05-10", "督查", None, None],
        ["town-a", "", "党委会月督", 5, "2026-05-11", "督查", None, None],
    ])  # fmt: skip
    response = upload(world.client_for(world.office), world, data)
    assert response.status_code == 200
    text = problems(response)
    assert "第 3 行 G（缺席人员及原因）列：张三" in text
    assert "第 4 行 C（记录类型）列" in text
    assert "第 5 行 D（期次）列" in text and "第 5 行 E（召开日期）列" in text
    assert "第 5 行 F（主题）列：不能为空" in text and "第 5 行 G（缺席人员及原因）列" in text
    assert "第 6 行 D（期次）列" in text  # already recorded
    assert "第 8 行" in text  # the same record as row 7
    assert ProcessRecord.objects.count() == 1


def test_it_keeps_a_liaison_to_their_own_unit_and_year(world):
    data = workbook([["town-b", "", "中心组月学", 1, "2026-01-20", "学习", None, None]])
    response = upload(world.client_for(world.liaison_a), world, data)
    assert "第 3 行 A（单位代码）列" in problems(response)
    assert ProcessRecord.objects.count() == 0
    own = workbook([["town-a", "", "中心组月学", 1, "2026-01-20", "学习", None, None]])
    response = upload(world.client_for(world.liaison_a), world, own, unit="town-a")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "records:unit_records", kwargs={"pk": world.campaign.pk, "code": "town-a"}
    )
    assert ProcessRecord.objects.count() == 1
    world.campaign.phase = Phase.EVALUATION
    world.campaign.save(update_fields=["phase"])
    again = workbook([["town-a", "", "中心组月学", 2, "2026-02-20", "学习", None, None]])
    assert "评估阶段" in problems(upload(world.client_for(world.liaison_a), world, again))


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("judge", 403)])
def test_it_lets_neither_viewers_nor_judges_import(world, role, status):
    data = workbook([["town-a", "", "中心组月学", 1, "2026-01-20", "学习", None, None]])
    assert upload(world.client_for(getattr(world, role)), world, data).status_code == status
