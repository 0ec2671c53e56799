"""A month's actuals through Excel: the template, the import and its refusals, who may."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sanhao.audit.models import AuditEntry
from sanhao.targets.imports import import_actuals
from sanhao.targets.models import Figure
from sanhao.targets.services import Entry, current_figures, enter_figures, lock_month

HEADER = ["单位代码*", "单位名称", "开票销售", "到账外资", "工业投资"]


@pytest.fixture(autouse=True)
def unitless(world):
    """These tests read units from the headers: a scheme naming no unit of measure leaves
    them to the header (test_actuals_units.py has the scheme's own units)."""
    import re

    from sanhao.rankings.services import current_scheme, save_scheme_version

    source = re.sub(r'^unit = "[^"]*".*$', "", current_scheme(world.campaign).source, flags=re.M)
    save_scheme_version(world.campaign, source, reason="表头单位", actor=world.office)


def workbook(rows, *, title="2026年1—10月各单位指标累计实绩", header=HEADER, sheet="月度实绩",
             percent=()) -> bytes:  # fmt: skip
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for values in rows:
        ws.append(values)
    for ref in percent:
        ws[ref].number_format = "0.00%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, world, data: bytes, *, month=10, reason="", unit=None, name="实绩.xlsx"):
    url = reverse("targets:actuals_import", kwargs={"pk": world.campaign.pk})
    fields = {"month": str(month), "reason": reason,
              "file": SimpleUploadedFile(name, data)}  # fmt: skip
    if unit:
        fields["unit"] = unit
    return client.post(url, fields)


def actual(world, unit, indicator="sales", month=10):
    return current_figures(world.campaign).get((unit.pk, indicator, "actual", month))


def problems(response) -> str:
    return " ".join(str(p) for p in response.context["report"].problems)


def test_it_gives_the_office_a_template_of_every_unit_with_what_is_entered(world):
    enter_figures(world.campaign, world.a, [Entry("sales", "actual", 10, "12.5")],
                  actor=world.office)  # fmt: skip
    url = reverse("targets:actuals_template", kwargs={"pk": world.campaign.pk})
    response = world.client_for(world.office).get(url, {"month": 10})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content))["月度实绩"]
    assert ws["A1"].value == "2026年1—10月各单位指标累计实绩"
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == HEADER
    assert [ws.cell(r, 1).value for r in (3, 4)] == ["town-a", "town-b"]
    assert ws["C3"].value == 12.5


def test_it_gives_a_liaison_the_template_of_their_own_unit_only(world):
    url = reverse("targets:actuals_template", kwargs={"pk": world.campaign.pk})
    client = world.client_for(world.liaison_a)
    ws = load_workbook(io.BytesIO(client.get(url, {"month": 3}).content))["月度实绩"]
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == ["town-a"]
    assert client.get(url, {"unit": "town-b"}).status_code == 404
    assert world.client_for(world.viewer).get(url).status_code == 403
    assert world.client_for(world.judge).get(url).status_code == 403


def test_it_imports_the_filled_template_back(world):
    client = world.client_for(world.office)
    url = reverse("targets:actuals_template", kwargs={"pk": world.campaign.pk})
    book = load_workbook(io.BytesIO(client.get(url, {"month": 10}).content))
    ws = book["月度实绩"]
    ws["C3"], ws["D3"], ws["E4"] = "1,234.5", "１２３４", 56.25
    out = io.BytesIO()
    book.save(out)
    response = upload(client, world, out.getvalue())
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "targets:district_figures", kwargs={"pk": world.campaign.pk}
    )
    assert actual(world, world.a) == Decimal("1234.5")
    assert actual(world, world.a, "fdi_received") == Decimal("1234")
    assert actual(world, world.b, "industrial_investment") == Decimal("56.25")
    entry = AuditEntry.objects.filter(action="targets.figures.import").get()
    assert entry.data["changed"] == 3 and entry.data["month"] == 10
    assert entry.data["figures"]["town-a"] == [
        ["sales", "actual", 10, "1234.5", None],
        ["fdi_received", "actual", 10, "1234", None],
    ]
    # The same file again changes nothing.
    assert upload(client, world, out.getvalue()).status_code == 302
    assert Figure.objects.count() == 3


def test_it_reads_clerks_numbers_units_in_headers_and_not_reported_markers(world):
    enter_figures(world.campaign, world.b, [Entry("sales", "actual", 10, "7")], actor=world.office)
    header = ["单位代码", "单位名称", "开票销售（万元）", "到账外资(万元)", "工业投资【%】", None]
    data = workbook(
        [["town-a", "甲镇", "1.2亿", "12.3万", "28.57%", None],
         ["town-b", "乙街道", "—", "-", 0.2857, None],
         [None, "合计", 99999, None, None, None],
         [None, None, None, None, None, None]],
        header=header, percent=["E4"],
    )  # fmt: skip
    response = upload(world.client_for(world.office), world, data)
    assert response.status_code == 302, problems(response)
    assert actual(world, world.a) == Decimal("12000")
    assert actual(world, world.a, "fdi_received") == Decimal("12.3")
    assert actual(world, world.a, "industrial_investment") == Decimal("28.57")
    assert actual(world, world.b, "industrial_investment") == Decimal("28.57")
    assert actual(world, world.b) == Decimal("7")  # — leaves it as it was
    assert actual(world, world.b, "fdi_received") is None


def test_it_saves_nothing_and_locates_every_problem(world):
    data = workbook([["town-a", "甲镇", "12", "1,23", "5"],
                     ["town-b", "乙街道", "12.3万", "3", "-4"],
                     ["nowhere", "无名镇", "1", "1", "1"],
                     ["town-a", "甲镇", "1", "1", "1"]])  # fmt: skip
    response = upload(world.client_for(world.office), world, data)
    assert response.status_code == 200
    text = problems(response)
    assert "“月度实绩”表第 3 行 D（到账外资）列：" in text
    assert "“月度实绩”表第 4 行 C（开票销售）列：" in text
    assert "“月度实绩”表第 4 行 E（工业投资）列：" in text
    assert "没有代码为 nowhere 的镇街" in text
    assert "第 6 行" in text  # the same unit twice
    assert Figure.objects.count() == 0
    body = response.content.decode()
    assert "未保存" in body or "没有保存" in body


def test_it_refuses_a_header_it_does_not_know_and_a_title_of_another_month(world):
    data = workbook([["town-a", "甲镇", "1", "2", "3"]],
                    header=["单位代码", "单位名称", "开票销售", "营业收入", "工业投资"])  # fmt: skip
    text = problems(upload(world.client_for(world.office), world, data))
    assert "第 2 行 D（营业收入）列" in text
    data = workbook([["town-a", "甲镇", "1", "2", "3"]], title="2026年1—9月各单位指标累计实绩")
    text = problems(upload(world.client_for(world.office), world, data))
    assert "2026年9月" in text and "2026年10月" in text
    assert Figure.objects.count() == 0


def test_it_lets_a_liaison_import_their_own_unit_and_shows_the_change(world):
    enter_figures(world.campaign, world.a, [Entry("sales", "plan", 0, "100")], actor=world.office)
    client = world.client_for(world.liaison_a)
    page = reverse("targets:unit_figures", kwargs={"pk": world.campaign.pk, "code": "town-a"})
    body = client.get(page).content.decode()
    assert 'action="/years/' in body and 'name="file"' in body  # the upload form is on the page
    response = upload(client, world, workbook([["town-a", "甲镇", "50", None, None]]),
                      unit="town-a")  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{page}?month=10"
    assert actual(world, world.a) == Decimal("50")
    assert "50.0%" in client.get(page).content.decode()  # the completion of plan


def test_it_refuses_another_units_row_from_a_liaison_and_saves_nothing(world):
    data = workbook([["town-a", "甲镇", "50", None, None], ["town-b", "乙街道", "60", None, None]])
    response = upload(world.client_for(world.liaison_a), world, data)
    assert response.status_code == 200
    assert "第 4 行 A（单位代码）列" in problems(response)
    assert Figure.objects.count() == 0
    # Naming another unit in the form is refused outright.
    assert upload(world.client_for(world.liaison_a), world, data, unit="town-b").status_code == 404


def test_it_respects_the_month_locks(world):
    lock_month(world.campaign, 10, actor=world.office)
    data = workbook([["town-a", "甲镇", "50", None, None]])
    response = upload(world.client_for(world.liaison_a), world, data)
    assert "锁定" in problems(response)
    office = world.client_for(world.office)
    assert "理由" in problems(upload(office, world, data))
    assert Figure.objects.count() == 0
    assert upload(office, world, data, reason="统计局更正").status_code == 302
    assert Figure.objects.get().reason == "统计局更正"


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("judge", 403)])
def test_it_lets_neither_viewers_nor_judges_import(world, role, status):
    data = workbook([["town-a", "甲镇", "50", None, None]])
    assert upload(world.client_for(getattr(world, role)), world, data).status_code == status
    assert Figure.objects.count() == 0


def test_it_rolls_back_every_unit_when_the_service_refuses_one(world, monkeypatch):
    from sanhao.targets import services

    real = services._figure

    def refuse_b(year, unit, *args, **kwargs):
        if unit.code == "town-b":
            raise services.DomainError("拒绝")
        return real(year, unit, *args, **kwargs)

    monkeypatch.setattr(services, "_figure", refuse_b)
    data = workbook([["town-a", "甲镇", "50", None, None], ["town-b", "乙街道", "60", None, None]])
    report = import_actuals(data, year=world.campaign, month=10, actor=world.office)
    assert [str(p) for p in report.problems] == ["“月度实绩”表第 4 行：拒绝"]
    assert Figure.objects.count() == 0
    assert not AuditEntry.objects.filter(action="targets.figures.import").exists()


def test_it_writes_a_district_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from sanhao.orgs.tests.test_query_counts import grow

    grow(world, 30, 0)
    rows = [[f"u{i}", None, str(i), None, None] for i in range(2, 30)]
    with django_assert_max_num_queries(20):
        report = import_actuals(workbook(rows), year=world.campaign, month=10, actor=world.office)
    assert report.ok and report.changed == 28


def test_it_converts_by_the_indicators_own_unit_when_the_scheme_names_one(world, monkeypatch):
    from sanhao.targets import imports

    monkeypatch.setattr(imports, "measure_of", lambda i: "万元" if i.id == "sales" else "")
    url = reverse("targets:actuals_template", kwargs={"pk": world.campaign.pk})
    ws = load_workbook(io.BytesIO(world.client_for(world.office).get(url).content))["月度实绩"]
    assert ws["C2"].value == "开票销售（万元）"
    data = workbook([["town-a", "甲镇", "1.2亿", None, None]])  # the header names no unit
    assert upload(world.client_for(world.office), world, data).status_code == 302
    assert actual(world, world.a) == Decimal("12000")
