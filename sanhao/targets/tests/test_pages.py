"""The pages of targets and actuals: a unit's figures and its entry form, the district
table with the month locks, a deputy's 分管; who may do what on each."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from sanhao.orgs.tests.test_query_counts import grow, queries
from sanhao.targets.forms import clerk_number
from sanhao.targets.models import Figure, MonthLock, Oversight
from sanhao.targets.services import Entry, current_figures, enter_figures, lock_month

PACE_WORDS = ("超序时进度", "略低于序时进度", "落后序时进度")


def figures_url(world, unit=None) -> str:
    unit = unit or world.a
    return reverse("targets:unit_figures", kwargs={"pk": world.campaign.pk, "code": unit.code})


def district_url(world) -> str:
    return reverse("targets:district_figures", kwargs={"pk": world.campaign.pk})


def form_data(month: int, reason: str = "", **values: str) -> dict[str, str]:
    """The entry form's fields: `plan__sales="100"`, `actual__sales="30"`, …"""
    return {"month": str(month), "reason": reason, **values}


def row(body: str, name: str) -> list[str]:
    """The cells of the first table row headed `name`, as text."""
    found = re.search(rf'<th scope="row">{name}.*?</th>(.*?)</tr>', body, re.S)
    assert found, name
    cells = re.findall(r"<td>(.*?)</td>", found.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def value(world, indicator: str, kind: str, month: int = 0, unit=None) -> Decimal | None:
    unit = unit or world.a
    return current_figures(world.campaign).get((unit.pk, indicator, kind, month))


# Reading the unit's page


@pytest.mark.parametrize(("role", "status"), [("office", 200), ("viewer", 200),
                         ("liaison_a", 200), ("judge", 403), ("liaison_b", 404)])  # fmt: skip
def test_it_shows_a_units_figures_to_its_readers_only(world, role, status):
    response = world.client_for(getattr(world, role)).get(figures_url(world))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "开票销售" in body and "到账外资" in body and "工业投资" in body


def test_it_gives_a_liaison_404_for_another_unit_and_for_a_year_that_does_not_exist(world):
    client = world.client_for(world.liaison_a)
    assert client.get(figures_url(world, world.b)).status_code == 404
    url = reverse("targets:unit_figures", kwargs={"pk": 999_999, "code": world.a.code})
    assert world.client_for(world.office).get(url).status_code == 404


def test_it_shows_completion_growth_pace_and_place(world):
    a, b = world.a, world.b
    enter_figures(world.campaign, a, [Entry("sales", "plan", 0, 100), Entry("sales", "prior", 0, 80),
                  Entry("sales", "actual", 5, 30), Entry("sales", "actual", 6, 60),
                  Entry("fdi_received", "plan", 0, 100), Entry("fdi_received", "actual", 6, 46),
                  Entry("industrial_investment", "plan", 0, 100),
                  Entry("industrial_investment", "actual", 6, 40)],
                  actor=world.office)  # fmt: skip
    enter_figures(world.campaign, b, [Entry("sales", "plan", 0, 10), Entry("sales", "actual", 6, 8)],
                  actor=world.office)  # fmt: skip
    body = world.client_for(world.liaison_a).get(figures_url(world)).content.decode()
    # 开票销售: 60 of 100 by June → 60.0 %, expected 50.0 %, ahead; growth against the
    # prior year's same months, 80 × 6 / 12 = 40: (60 − 40) / 40.
    # plan, prior, actual (month), completion, expected, pace, year-on-year, place
    assert row(body, "开票销售") == ["100", "80", "60 至6月", "60.0%", "50.0%", "超序时进度",
                                     "50.0%", "第 2 位（共 2 个）"]  # fmt: skip
    assert "pace-ahead" in body
    # 到账外资: 46 % ≥ 0.9 × 50 %: slightly behind; 工业投资: 40 % < 45 %: behind.
    assert "略低于序时进度" in body and "pace-slightly-behind" in body
    assert "落后序时进度" in body and "pace-behind" in body
    # B's 80 % is ahead of A's 60 %: A is second of two on sales, first of one on the others.
    assert "第 2 位（共 2 个）" in body and "第 1 位（共 1 个）" in body
    assert "至6月" in body
    assert b.name not in body  # the place names no other unit


def test_it_shows_the_month_by_month_table_with_the_locked_months(world):
    enter_figures(world.campaign, world.a, [Entry("sales", "actual", 1, "12.5"),
                  Entry("sales", "actual", 2, 1234)], actor=world.office)  # fmt: skip
    lock_month(world.campaign, 1, actor=world.office)
    body = world.client_for(world.viewer).get(figures_url(world)).content.decode()
    assert "逐月累计完成" in body and "12.5" in body and "1234" in body
    assert 'class="locked">1月' in body and "已锁定" in body
    assert 'class="locked">2月' not in body


def test_the_chart_carries_the_tables_numbers_as_text(world):
    import json

    enter_figures(world.campaign, world.a, [Entry("sales", "plan", 0, "120"),
                  Entry("sales", "actual", 1, "12.5"), Entry("sales", "actual", 3, "31")],
                  actor=world.office)  # fmt: skip
    body = world.client_for(world.liaison_a).get(figures_url(world)).content.decode()
    data = json.loads(re.search(r'<script id="figure-chart-data" type="application/json">(.*?)</script>',
                                body, re.S).group(1))  # fmt: skip
    sales = next(i for i in data["indicators"] if i["name"] == "开票销售")
    assert sales["actual"][:4] == ["12.5", None, "31", None]  # a month not reported is a gap
    assert sales["expected"][:3] == ["10", "20", "30"]  # 120 × m / 12
    assert data["months"][0] == "1月" and data["expected"] == "按进度应完成"
    # The same numbers in the table: the expected row below the indicator's actuals.
    assert "按进度应完成" in body and "<small>30</small>" in body
    assert "sanhao/charts" in body and "vendor/echarts" in body


def test_it_reads_a_units_page_in_the_same_number_of_queries_for_13_and_130_units(world):
    client = world.client_for(world.office)
    grow(world, 13, 3)
    small = queries(client, figures_url(world))
    grow(world, 130, 3)
    assert queries(client, figures_url(world)) == small


# The entry form


def test_it_shows_the_form_to_the_office_and_the_units_liaison_only(world):
    for role, shown in [("office", True), ("liaison_a", True), ("viewer", False)]:
        body = world.client_for(getattr(world, role)).get(figures_url(world)).content.decode()
        assert ('name="plan__sales"' in body) is shown, role


@pytest.mark.parametrize("role", ["viewer", "judge", "liaison_b"])
def test_it_refuses_an_entry_from_anyone_else(world, role):
    response = world.client_for(getattr(world, role)).post(
        figures_url(world), form_data(1, plan__sales="100")
    )
    assert response.status_code in (403, 404)
    assert not Figure.objects.exists()


def test_a_liaison_enters_figures_and_sees_completion_and_pace(world):
    client = world.client_for(world.liaison_a)
    response = client.post(figures_url(world), form_data(
        3, plan__sales="100", prior__sales="90", actual__sales="30",
        plan__fdi_received="", actual__fdi_received=""))  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?month=3")
    assert value(world, "sales", "plan") == 100
    assert value(world, "sales", "prior") == 90
    assert value(world, "sales", "actual", 3) == 30
    assert value(world, "fdi_received", "plan") is None  # an empty field enters nothing
    body = client.get(response["Location"]).content.decode()
    assert "已保存 3 项有变化的数据。" in body
    # March: 30 of 100 against 25 expected; the prior's same months 90 × 3 / 12 = 22.5.
    assert row(body, "开票销售")[3:7] == ["30.0%", "25.0%", "超序时进度", "33.3%"]
    # The form shows the month's saved figures; sending them again changes nothing.
    assert 'value="30"' in body and 'value="100"' in body
    again = client.post(figures_url(world), form_data(3, plan__sales="100", actual__sales="30"))
    assert "没有变化" in client.get(again["Location"]).content.decode()
    assert Figure.objects.count() == 3


def test_a_wrong_number_is_refused_with_its_message_and_nothing_is_saved(world):
    response = world.client_for(world.liaison_a).post(figures_url(world), form_data(
        4, plan__sales="100", plan__fdi_received="一百", actual__sales="20"))  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "到账外资 年度目标：不是数字" in body
    assert 'role="alert"' in body
    assert not Figure.objects.exists()


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("1,234.5", Decimal("1234.5")),
        ("１２３４", Decimal("1234")),
        ("  56.75  ", Decimal("56.75")),
        ("１,２３４．５", Decimal("1234.5")),
        ("12,345,678", Decimal("12345678")),
    ],
)
def test_it_reads_numbers_as_clerks_type_them(world, typed, saved):
    response = world.client_for(world.liaison_a).post(
        figures_url(world), form_data(2, plan__sales=typed)
    )
    assert response.status_code == 302
    assert value(world, "sales", "plan") == saved


@pytest.mark.parametrize("typed", ["1,2", "12,34.5", "1.2.3", "12万", "1 234"])
def test_it_hands_anything_else_to_the_service_which_refuses_it(world, typed):
    assert clerk_number(typed) == typed  # not mended into a number nobody typed
    response = world.client_for(world.liaison_a).post(
        figures_url(world), form_data(2, plan__sales=typed)
    )
    assert response.status_code == 200 and "不是数字" in response.content.decode()
    assert not Figure.objects.exists()


def test_a_locked_month_is_read_only_for_the_liaison_and_corrected_by_the_office(world):
    enter_figures(world.campaign, world.a, [Entry("sales", "actual", 3, 7)], actor=world.liaison_a)
    lock_month(world.campaign, 3, actor=world.office)
    liaison = world.client_for(world.liaison_a)
    body = liaison.get(figures_url(world) + "?month=3").content.decode()
    assert "3月已锁定" in body and "联系工作专班" in body
    assert 'name="actual__sales"' in body and "disabled" in body
    # A sent value for the locked month is not taken; the plan beside it is.
    response = liaison.post(figures_url(world), form_data(3, actual__sales="8", plan__sales="50"))
    assert response.status_code == 302
    assert value(world, "sales", "actual", 3) == 7 and value(world, "sales", "plan") == 50
    # The office needs a reason …
    office = world.client_for(world.office)
    body = office.get(figures_url(world) + "?month=3").content.decode()
    assert "更正该月累计完成数须填写理由" in body
    refused = office.post(figures_url(world), form_data(3, actual__sales="8"))
    assert refused.status_code == 200 and "理由" in refused.content.decode()
    assert value(world, "sales", "actual", 3) == 7
    # … and corrects with one.
    done = office.post(figures_url(world), form_data(3, "统计局更正", actual__sales="8"))
    assert done.status_code == 302
    assert value(world, "sales", "actual", 3) == 8
    assert Figure.objects.filter(kind="actual").latest("id").reason == "统计局更正"


def test_the_form_opens_on_the_first_open_month_after_the_latest_entered(world):
    enter_figures(world.campaign, world.a, [Entry("sales", "actual", 2, 7)], actor=world.liaison_a)
    lock_month(world.campaign, 2, actor=world.office)
    body = world.client_for(world.liaison_a).get(figures_url(world)).content.decode()
    assert 'name="month" value="3"' in body or 'value="3" name="month"' in body


# The district table and the month locks


@pytest.mark.parametrize(("role", "status"), [("office", 200), ("viewer", 200),
                         ("liaison_a", 403), ("judge", 403)])  # fmt: skip
def test_it_shows_the_district_table_to_the_office_and_the_viewer_only(world, role, status):
    assert world.client_for(getattr(world, role)).get(district_url(world)).status_code == status


def test_the_district_table_shows_every_unit_with_completion_and_pace(world):
    enter_figures(world.campaign, world.a, [Entry("sales", "plan", 0, 200),
                  Entry("sales", "actual", 6, 50)], actor=world.office)  # fmt: skip
    enter_figures(world.campaign, world.b, [Entry("sales", "plan", 0, 10),
                  Entry("sales", "actual", 6, 6)], actor=world.office)  # fmt: skip
    body = world.client_for(world.viewer).get(district_url(world)).content.decode()
    assert world.a.name in body and world.b.name in body
    assert row(body, f'<a href="{figures_url(world)}">{world.a.name}</a>')[:4] == [
        "200", "50 至6月", "25.0%", "落后序时进度"]  # fmt: skip
    assert row(body, f'<a href="{figures_url(world, world.b)}">{world.b.name}</a>')[:4] == [
        "10", "6 至6月", "60.0%", "超序时进度"]  # fmt: skip
    assert 'name="month"' not in body  # the viewer locks nothing


def test_the_district_table_reads_in_the_same_number_of_queries_for_13_and_130_units(world):
    client = world.client_for(world.office)
    grow(world, 13, 3)
    small = queries(client, district_url(world))
    grow(world, 130, 3)
    for unit_code in ("u20", "u120"):
        from sanhao.orgs.models import Unit

        unit = Unit.objects.get(code=unit_code)
        enter_figures(world.campaign, unit, [Entry("sales", "plan", 0, 9),
                      Entry("sales", "actual", 1, 1)], actor=world.office)  # fmt: skip
    assert queries(client, district_url(world)) == small


def test_the_office_locks_a_month_and_the_table_lists_it(world):
    client = world.client_for(world.office)
    url = reverse("targets:lock_month", kwargs={"pk": world.campaign.pk})
    response = client.post(url, {"month": "4"})
    assert response.status_code == 302 and response["Location"] == district_url(world)
    assert list(MonthLock.objects.values_list("month", flat=True)) == [4]
    body = client.get(district_url(world)).content.decode()
    assert "4月已锁定" in body and "由 office 锁定" in body
    assert '<option value="4"' not in body and '<option value="5"' in body
    again = client.post(url, {"month": "4"})
    assert "请选择尚未锁定的月份" in client.get(again["Location"]).content.decode()
    assert MonthLock.objects.count() == 1


@pytest.mark.parametrize("role", ["viewer", "liaison_a", "judge"])
def test_no_one_but_the_office_locks_a_month(world, role):
    url = reverse("targets:lock_month", kwargs={"pk": world.campaign.pk})
    assert world.client_for(getattr(world, role)).post(url, {"month": "4"}).status_code == 403
    assert not MonthLock.objects.exists()


# 分管: the indicators a deputy oversees


def oversight_url(world, post) -> str:
    return reverse("targets:oversight", kwargs={"pk": world.campaign.pk, "post_pk": post.pk})


def test_the_office_sets_a_deputys_indicators_and_every_reader_sees_them(world):
    deputy = world.posts["A1"]
    office = world.client_for(world.office)
    page = office.get(figures_url(world)).content.decode()
    assert f'action="{oversight_url(world, deputy)}"' in page
    assert oversight_url(world, world.posts["A0"]) not in page  # the leader oversees nothing
    prefix = f"post-{deputy.pk}-indicators"
    response = office.post(oversight_url(world, deputy), {prefix: ["sales", "fdi_received"]})
    assert response.status_code == 302 and response["Location"] == figures_url(world)
    assert set(Oversight.objects.values_list("indicator", flat=True)) == {"sales", "fdi_received"}
    assert "分管指标已保存" in office.get(response["Location"]).content.decode()
    for role in ("liaison_a", "viewer"):
        body = world.client_for(getattr(world, role)).get(figures_url(world)).content.decode()
        assert "开票销售、到账外资" in body, role
        assert oversight_url(world, deputy) not in body, role  # readers see, never set


def test_the_oversight_form_refuses_an_unknown_indicator_and_a_non_deputy(world):
    office = world.client_for(world.office)
    deputy = world.posts["A1"]
    response = office.post(oversight_url(world, deputy), {f"post-{deputy.pk}-indicators": ["x"]})
    assert "请选择本年度方案中的指标" in office.get(response["Location"]).content.decode()
    assert office.post(oversight_url(world, world.posts["A0"]), {}).status_code == 404
    assert not Oversight.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "liaison_a", "judge"])
def test_no_one_but_the_office_sets_a_deputys_indicators(world, role):
    deputy = world.posts["A1"]
    response = world.client_for(getattr(world, role)).post(
        oversight_url(world, deputy), {f"post-{deputy.pk}-indicators": ["sales"]}
    )
    assert response.status_code == 403
    assert not Oversight.objects.exists()


# The home page links


def test_the_home_page_links_to_the_figures_of_each_role(world):
    for role, url in [("office", district_url(world)), ("viewer", district_url(world)),
                      ("liaison_a", figures_url(world))]:  # fmt: skip
        body = world.client_for(getattr(world, role)).get(reverse("home")).content.decode()
        assert "指标完成情况" in body and f'href="{url}"' in body, role
    judge = world.client_for(world.judge).get(reverse("home")).content.decode()
    assert "指标完成情况" not in judge


# The numbers themselves


def test_a_lower_is_better_indicator_is_on_pace_under_its_share_of_the_plan():
    from sanhao.scoring.scheme import Indicator
    from sanhao.targets.reports import cells

    energy = Indicator("energy", "能耗", Decimal(10), True, "efficacy", Decimal("0.5"))
    figures = {(1, "energy", "plan", 0): Decimal(120), (1, "energy", "prior", 0): Decimal(100),
               (1, "energy", "actual", 6): Decimal(50),  # under half the plan by June: good
               (2, "energy", "plan", 0): Decimal(120), (2, "energy", "actual", 6): Decimal(64),
               (3, "energy", "plan", 0): Decimal(120), (3, "energy", "actual", 6): Decimal(0)}  # fmt: skip
    table = cells([energy], figures, [1, 2, 3])
    one, two, three = table[1][0], table[2][0], table[3][0]
    assert one.completion_text == "240.0%" and one.pace.code == "ahead"
    assert one.growth_text == "0.0%"  # 50 against the same months' 100 × 6 / 12 = 50
    assert two.pace.code == "slightly-behind"  # (6/12) / (64/120) = 0.9375
    assert three.completion == 1 and three.pace.code == "ahead"  # nothing used yet
    assert (one.place, two.place, three.place) == (1, 2, 3)


def test_equal_completions_share_the_better_place():
    from sanhao.scoring.scheme import Indicator
    from sanhao.targets.reports import cells

    sales = Indicator("sales", "开票销售", Decimal(30), False, "efficacy", Decimal("0.5"))
    figures = {}
    for unit, actual in [(1, 5), (2, 8), (3, 8), (4, 2)]:
        figures[(unit, "sales", "plan", 0)] = Decimal(10)
        figures[(unit, "sales", "actual", 3)] = Decimal(actual)
    table = cells([sales], figures, [1, 2, 3, 4, 5])
    assert [table[u][0].place for u in (1, 2, 3, 4, 5)] == [3, 1, 1, 4, None]
    assert table[1][0].ranked == 4
