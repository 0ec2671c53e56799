"""The public big screen: no login, nothing personal, live by htmx."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.urls import reverse

from sanhao.leaderboard.tests.helpers import decide, figures, scores_of, year_record
from sanhao.orgs.tests.test_query_counts import grow, queries

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _url(world) -> str:
    return reverse("leaderboard:screen", args=[world.campaign.pk])


def test_the_screen_needs_no_login_and_sets_no_cookie(world):
    year_record(world)
    response = Client().get(_url(world))
    assert response.status_code == 200
    assert not response.cookies and response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "甲镇" in body and "乙街道" in body and 'id="screen-data"' in body
    assert 'data-theme="dark"' in body and 'hx-trigger="every 60s"' in body
    assert "csrfmiddlewaretoken" not in body
    found = re.search(
        r'<script id="screen-data" type="application/json">(.*?)</script>', body, re.S
    )
    assert found
    data = json.loads(found.group(1))
    assert "radar" not in data  # no panel scores on the public screen
    table = re.search(r'<table[^>]*id="screen-table".*?</table>', body, re.S)
    assert table
    for value in data["pace"]["values"]:
        assert f"<td>{value}%</td>" in table.group(0)


def test_before_the_decision_it_shows_no_person_and_no_individual_score(world):
    run = year_record(world)
    body = Client().get(_url(world)).content.decode()
    assert not PHONE.search(body)
    people = [p.person.name for p in world.posts.values()]
    assert not [name for name in people if name in body]
    for unit in (world.a, world.b):
        for candidate in scores_of(run, unit).values():
            assert candidate["name"] not in body
            assert f">{candidate['S']}<" not in body and candidate["status_text"] not in body
    assert "好班长" not in body  # no award list before the decision


def test_after_the_decision_it_shows_the_awardees_names_and_posts_only(world):
    run = year_record(world)
    decide(world, run)
    body = Client().get(_url(world)).content.decode()
    assert "甲书记" in body and "党委书记" in body and "甲镇班子" in body
    assert "甲镇长" not in body and "乙书记" not in body  # not awarded: not named
    assert not PHONE.search(body)


def test_htmx_asks_for_the_live_part_only(world):
    figures(world)
    response = Client().get(_url(world), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="screen-live"') and "<html" not in body
    assert 'id="screen-data"' in body


def test_a_year_that_does_not_exist_is_404(db):
    assert Client().get(reverse("leaderboard:screen", args=[999])).status_code == 404


def test_it_reads_the_screen_in_the_same_number_of_queries_for_2_and_4_units(world):
    year_record(world)
    client = Client()
    small = queries(client, _url(world))
    grow(world, 4, 3)
    figures(world)
    assert queries(client, _url(world)) == small
