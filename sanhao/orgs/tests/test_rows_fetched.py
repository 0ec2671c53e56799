"""Pages fetch the rows they show, not the district: model instances built per request
do not grow with the number of units or the length of a unit's history (issue 6, item 14)."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db.models.signals import post_init
from django.urls import reverse

from sanhao.orgs import services, views
from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow


@contextmanager
def counting():
    built: list[str] = []

    def count(sender, **kwargs):
        built.append(sender.__name__)

    post_init.connect(count, weak=False)
    try:
        yield built
    finally:
        post_init.disconnect(count)


def rows(client, url: str) -> list[str]:
    client.get(url)  # the first request of a session may write it; count the steady state
    with counting() as built:
        response = client.get(url)
    assert response.status_code == 200
    return built


def test_the_unit_list_builds_one_instance_per_unit_shown(world):
    client = world.client_for(world.office)
    url = reverse("orgs:unit_list")
    grow(world, 13, 3)
    small = rows(client, url)
    assert small.count("Unit") == 13
    assert "Post" not in small and "Person" not in small
    grow(world, 130, 3)
    large = rows(client, url)
    assert large.count("Unit") == views.UNITS_PER_PAGE
    assert len(large) - views.UNITS_PER_PAGE == len(small) - 13  # the rest is fixed
    second = client.get(url, {"page": 2}).content.decode()
    assert "第129镇" in second and "第2页，共2页" in second.replace(" ", "")


def test_the_unit_list_shows_leader_and_team_size_from_the_database(world):
    body = world.client_for(world.office).get(reverse("orgs:unit_list")).content.decode()
    assert "甲书记" in body and "党委书记" in body and "3 人" in body
    services.end_post(world.posts["A0"], dt.date(2024, 1, 1), actor=world.office)
    body = world.client_for(world.office).get(reverse("orgs:unit_list")).content.decode()
    assert "甲书记" not in body and "空缺" in body and "2 人" in body


def test_a_unit_page_builds_its_team_and_one_page_of_history(world):
    client = world.client_for(world.office)
    url = reverse("orgs:unit_detail", kwargs={"code": world.a.code})
    small = rows(client, url)
    # Sixty past posts in the unit, and many other units.
    for year in range(60):
        person = services.create_person(code=f"H{year:03d}", name=f"旧{year}", gender="m",
                                        actor=world.office)  # fmt: skip
        post = services.start_post(person, world.a, role="deputy", title="副镇长",
                                   start=dt.date(1950 + year, 1, 1), actor=world.office)  # fmt: skip
        services.end_post(post, dt.date(1950 + year, 6, 1), actor=world.office)
    grow(world, 40, 3)
    large = rows(client, url)
    assert large.count("Post") == 3 + views.PAST_POSTS_PER_PAGE
    assert len(large) - large.count("Post") - large.count("Person") == len(small) - 6
    body = client.get(url, {"page": 2}).content.decode()
    assert "旧0" in body and "旧59" not in body  # the oldest on the second page


@pytest.mark.parametrize("units", [13, 130])
def test_the_home_page_builds_no_post_or_person(world, units):
    grow(world, units, 2)
    built = rows(world.client_for(world.office), reverse("home"))
    assert "Post" not in built and "Person" not in built
    assert built.count("Unit") == Unit.objects.count()
