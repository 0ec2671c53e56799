"""Pages load what they need in a fixed number of queries, whatever the district's size."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanhao.conftest import make_team
from sanhao.orgs import services
from sanhao.orgs.models import Unit


def grow(world, units: int, team: int) -> None:
    """Add towns until the district has `units`, each with `team` members."""
    for index in range(Unit.objects.count(), units):
        unit = services.create_unit(world.district, code=f"u{index}", name=f"第{index}镇",
                                    kind=Unit.Kind.TOWN, order=index, actor=world.office)  # fmt: skip
        make_team(unit, f"U{index}-", [f"人{index}-{i}" for i in range(team)],
                  actor=world.office, start=dt.date(2021, 10, 1))  # fmt: skip


def queries(client, url: str) -> int:
    client.get(url)  # the first request of a session may write it; count the steady state
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url_name", ["home", "orgs:unit_list", "orgs:person_list"])
def test_it_reads_the_lists_in_the_same_number_of_queries_for_13_and_130_units(world, url_name):
    client = world.client_for(world.office)
    url = reverse(url_name)
    grow(world, 13, 3)
    small = queries(client, url)
    grow(world, 130, 3)
    assert queries(client, url) == small


def test_it_reads_a_unit_page_in_the_same_number_of_queries_for_any_team_size(world):
    client = world.client_for(world.office)
    url = reverse("orgs:unit_detail", kwargs={"code": world.a.code})
    services.end_post(world.posts["A2"], dt.date(2022, 1, 1), actor=world.office)
    small = queries(client, url)  # one past post: the history's page is read
    services.end_post(world.posts["A0"], dt.date(2022, 1, 1), actor=world.office)
    more = make_team(world.a, "X", [f"新人{i}" for i in range(12)], actor=world.office,
                     start=dt.date(2022, 1, 1))  # fmt: skip
    for post in list(more.values())[1:6]:
        services.end_post(post, dt.date(2023, 1, 1), actor=world.office)
    grow(world, 40, 3)
    assert queries(client, url) == small


def test_it_reads_a_person_page_in_the_same_number_of_queries_for_any_history(world):
    client = world.client_for(world.office)
    person = world.person("A1")
    url = reverse("orgs:person_detail", kwargs={"person_pk": person.pk})
    small = queries(client, url)
    services.end_post(world.posts["A1"], dt.date(2023, 1, 1), actor=world.office)
    services.start_post(person, world.b, role="deputy", title="副主任", start=dt.date(2023, 1, 1),
                        actor=world.office)  # fmt: skip
    assert queries(client, url) == small
