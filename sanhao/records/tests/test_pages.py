"""The unit's records page, the compliance grid and the engine's facts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow, queries
from sanhao.records.models import ProcessRecord
from sanhao.records.services import correct_record, records_for_facts
from sanhao.records.tests.helpers import add, everyone
from sanhao.records.views import grid_rows


def unit_url(world, unit=None):
    return reverse("records:unit_records", kwargs={"pk": world.campaign.pk,
                                                   "code": (unit or world.a).code})  # fmt: skip


def grid_url(world):
    return reverse("records:grid", kwargs={"pk": world.campaign.pk})


@pytest.mark.parametrize(("role", "status"), [("office", 200), ("viewer", 200),
                                              ("liaison_a", 200), ("judge", 403)])  # fmt: skip
def test_it_shows_a_units_records_to_its_readers(world, role, status):
    add(world, topic="学习二十大精神")
    response = world.client_for(getattr(world, role)).get(unit_url(world))
    assert response.status_code == status
    if status == 200:
        assert "学习二十大精神" in response.content.decode()


def test_it_hides_another_units_records_from_a_liaison(world):
    assert world.client_for(world.liaison_a).get(unit_url(world, world.b)).status_code == 404


def test_it_adds_and_corrects_a_record_through_the_form(world):
    client = world.client_for(world.liaison_a)
    data = {"type": "study", "period": "3", "held_on": "2026-03-05", "topic": "三月学习",
            "text": "", "m0_present": "on", "m1_present": "on", "m2_reason": "培训"}  # fmt: skip
    response = client.post(unit_url(world), data)
    assert response.status_code == 302
    rec = ProcessRecord.objects.get()
    assert rec.attendance[2] == {"number": "A003", "name": "甲副镇长", "present": False,
                                 "reason": "培训"}  # fmt: skip
    again = client.post(unit_url(world), data)
    assert "已有记录" in again.content.decode()
    page = client.get(unit_url(world), {"correct": rec.pk}).content.decode()
    assert "三月学习" in page
    response = client.post(unit_url(world), {**data, "record": rec.pk, "topic": "三月学习（改）",
                                             "reason": "补记"})  # fmt: skip
    assert response.status_code == 302
    assert ProcessRecord.objects.filter(superseded_by__isnull=True).get().topic == "三月学习（改）"


def test_it_tells_the_liaison_a_month_is_locked_and_saves_nothing(world):
    from sanhao.targets.services import lock_month

    march = add(world, period=3)
    lock_month(world.campaign, 3, actor=world.office)
    client = world.client_for(world.liaison_a)
    page = client.get(unit_url(world)).content.decode()
    assert "本月已锁定" in page
    data = {"type": "study", "period": "3", "held_on": "2026-03-05", "topic": "三月学习（改）",
            "text": "", "record": march.pk, "reason": "补记"}  # fmt: skip
    answer = client.post(unit_url(world), data).content.decode()
    assert "3 月已锁定" in answer
    assert ProcessRecord.objects.count() == 1
    assert "本月已锁定" not in world.client_for(world.office).get(unit_url(world)).content.decode()


def test_it_refuses_a_viewer_to_post(world):
    assert world.client_for(world.viewer).post(unit_url(world), {}).status_code == 403


def test_it_marks_the_grid_on_time_late_missing_and_not_due(world):
    add(world, period=1, day=dt.date(2026, 1, 10))
    add(world, period=2, day=dt.date(2026, 3, 2))
    rows = grid_rows(world.campaign, [world.a, world.b], dt.date(2026, 4, 15))
    study = next(r for r in rows if r["unit"] == world.a and r["type"].type == "study")
    assert study["marks"][:5] == ["ok", "late", "missing", "open", "open"]
    assert (study["late"], study["missing"]) == (1, 1)
    b = next(r for r in rows if r["unit"] == world.b and r["type"].type == "supervision")
    assert b["marks"][:4] == ["missing", "missing", "missing", "open"]


@pytest.mark.parametrize(("role", "status"), [("office", 200), ("viewer", 200),
                                              ("liaison_a", 403), ("judge", 403)])  # fmt: skip
def test_it_shows_the_grid_to_the_office_and_the_viewer(world, role, status):
    add(world)
    response = world.client_for(getattr(world, role)).get(grid_url(world))
    assert response.status_code == status
    if status == 200:
        assert "甲镇" in response.content.decode() and "中心组月学" in response.content.decode()


def _records_for_all(world):
    for unit in Unit.objects.all():
        if not ProcessRecord.objects.filter(unit=unit).exists():
            add(world, unit, actor=world.office, attendance=everyone(unit))


def test_it_reads_the_grid_in_the_same_number_of_queries_for_13_and_130_units(world):
    client = world.client_for(world.office)
    grow(world, 13, 3)
    _records_for_all(world)
    small = queries(client, grid_url(world))
    grow(world, 130, 3)
    _records_for_all(world)
    assert queries(client, grid_url(world)) == small


def test_it_gives_the_engine_one_fact_per_current_record_in_constant_queries(world):
    first = add(world, period=1, day=dt.date(2026, 2, 3))
    correct_record(first, held_on=dt.date(2026, 1, 30), topic="改", attendance=everyone(world.a),
                   reason="日期填错", actor=world.liaison_a)  # fmt: skip
    add(world, type="supervision", period=2, day=dt.date(2026, 3, 1))
    add(world, world.b, period=1, day=dt.date(2026, 1, 5))
    assert records_for_facts(world.campaign) == [
        {"unit": "town-a", "type": "study", "period": 1, "on_time": True},
        {"unit": "town-a", "type": "supervision", "period": 2, "on_time": False},
        {"unit": "town-b", "type": "study", "period": 1, "on_time": True},
    ]
    records_for_facts(world.campaign)
    with CaptureQueriesContext(connection) as small:
        records_for_facts(world.campaign)
    grow(world, 30, 2)
    _records_for_all(world)
    with CaptureQueriesContext(connection) as large:
        facts = records_for_facts(world.campaign)
    assert len(facts) == 31 and len(large.captured_queries) == len(small.captured_queries)
