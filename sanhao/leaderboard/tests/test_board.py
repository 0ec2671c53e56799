"""The leaderboard for the district's leaders and the office."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from sanhao.leaderboard import board
from sanhao.leaderboard.tests.helpers import decide, figures, year_record
from sanhao.orgs.tests.test_query_counts import grow, queries


def _url(world) -> str:
    return reverse("leaderboard:board", args=[world.campaign.pk])


def _json(body: str, name: str) -> dict:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', body, re.S)
    assert found, f"no {name} block"
    return json.loads(found.group(1))


def _table(body: str, table_id: str) -> str:
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', body, re.S)
    assert found, table_id
    return found.group(0)


def _row(table: str, unit: str) -> str:
    found = re.search(rf"<tr>\s*<th scope=\"row\">{unit}</th>.*?</tr>", table, re.S)
    assert found, unit
    return found.group(0)


@pytest.mark.parametrize(("who", "status"), [("office", 200), ("viewer", 200),
                                             ("liaison_a", 403), ("judge", 403)])  # fmt: skip
def test_who_reads_the_board(world, who, status):
    assert world.client_for(getattr(world, who)).get(_url(world)).status_code == status


def test_it_shows_each_units_pace_with_the_charts_numbers_in_the_tables(world):
    year_record(world)
    body = world.client_for(world.viewer).get(_url(world)).content.decode()
    data = _json(body, "board-data")
    assert data["units"] == ["甲镇", "乙街道"]
    # June: town A reached 60/100, 61/110, 62/120 of its plans; June expects 50 %.
    assert data["pace"]["values"] == ["55.7", "47.5"]  # (0.6 + 0.5545 + 0.5167) / 3
    assert data["pace"]["expected"] == "50.0"
    assert data["pace"]["codes"] == ["ahead", "slightly-behind"]
    pace = _table(body, "pace-table")
    for unit, value in zip(data["units"], data["pace"]["values"], strict=True):
        assert f"{value}%" in _row(pace, unit)
    # The place each month: A first, B second, nothing before March.
    assert data["ranks"]["series"][0]["values"][:6] == [None, None, 1, None, None, 1]
    assert data["ranks"]["series"][1]["values"][2] == 2
    ranks = _row(_table(body, "ranks-table"), "乙街道")
    assert re.findall(r"<td>([^<]*)</td>", ranks)[:6] == ["—", "—", "2", "—", "—", "2"]
    # No panel yet: the radar shows the four parts of the record, and says so.
    radar = data["radar"]
    assert radar["names"] == ["目标完成", "过程记录按时", "项目节点完成", "短板整改完成"]
    assert "述职评分前" in radar["title"]
    a = radar["series"][0]["values"]
    assert a[0] == "55.7" and a[2] == "50.0" and a[3] == "0.0"  # 1 of 2 milestones, 0 of 1 remedy
    row = _row(_table(body, "radar-table"), "甲镇")
    assert all(f"<td>{v}</td>" in row for v in a if v is not None)
    records = _row(_table(body, "record-table"), "乙街道")
    assert "0 / " in records  # B's one record is late
    assert "本年度表彰决定尚未印发" in body


def test_it_lists_the_awards_per_unit_after_the_decision(world):
    run = year_record(world)
    decide(world, run)
    body = world.client_for(world.office).get(_url(world)).content.decode()
    assert "好班长" in body and "甲书记" in body and "党委书记" in body
    assert "本年度表彰决定尚未印发" not in body


def test_the_radar_reads_the_teams_panel_dimensions_when_there_are_some():
    document = {
        "breakdown": {"P": {"judges": 6, "dimensions": {"引领力强": "18.875", "凝聚力强": "19.75"}}}
    }
    names = ["引领力强", "凝聚力强", "战斗力强", "公信力强"]
    assert board.team_dimensions(document, names) == [Decimal("18.875"), Decimal("19.75"),
                                                       None, None]  # fmt: skip
    assert board.team_dimensions({"breakdown": {"P": None}}, names) == [None] * 4
    unscored = {"breakdown": {"P": {"judges": 0, "dimensions": dict.fromkeys(names, "0")}}}
    assert board.team_dimensions(unscored, names) == [None] * 4


def test_it_reads_the_board_in_the_same_number_of_queries_for_2_and_4_units(world):
    year_record(world)
    client = world.client_for(world.office)
    small = queries(client, _url(world))
    grow(world, 4, 3)
    figures(world)
    from sanhao.leaderboard.tests.helpers import project, record, shortfall
    from sanhao.orgs.models import Unit

    for unit in Unit.objects.exclude(pk__in=[world.a.pk, world.b.pk]):
        record(world, unit)
        project(world, unit)
        shortfall(world, unit)
    assert queries(client, _url(world)) == small


def test_after_the_panel_the_radar_shows_each_teams_four_standards(world):
    from sanhao.rankings.models import ScoreLine

    run = year_record(world)
    line = ScoreLine.objects.get(run=run, candidate=f"T-{world.a.code}")
    # What the engine writes once judges have scored the team (sanhao/scoring/report.py).
    line.document["breakdown"]["P"] = {"judges": 6, "mode": "score", "trimmed": True,
                                       "dimensions": {"引领力强": "18.875", "凝聚力强": "19.75",
                                                      "战斗力强": "19.5", "公信力强": "19.125"}}  # fmt: skip
    line.save(update_fields=["document"])
    body = world.client_for(world.office).get(_url(world)).content.decode()
    radar = _json(body, "board-data")["radar"]
    assert radar["names"] == ["引领力强", "凝聚力强", "战斗力强", "公信力强"]
    assert radar["max"] == "25" and "评委打分" in radar["title"]
    assert radar["series"][0]["values"] == ["18.88", "19.75", "19.50", "19.13"]
    assert radar["series"][1]["values"] == [None] * 4  # B's team has no sheet
    row = _row(_table(body, "radar-table"), "甲镇")
    assert all(f"<td>{v}</td>" in row for v in radar["series"][0]["values"])
    assert "评委平均分" in body
