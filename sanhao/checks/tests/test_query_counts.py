"""The overdue list reads in the same number of queries for 13 and 130 units."""

import datetime as dt

from django.urls import reverse

from sanhao.checks.services import add_shortfall, add_spot_check
from sanhao.orgs.models import Post, Unit
from sanhao.orgs.tests.test_query_counts import grow, queries


def overdue_everywhere(world) -> None:
    """A spot check of the units without one, each with one overdue remedy."""
    units = list(Unit.objects.filter(shortfalls__isnull=True).order_by("order"))
    check = add_spot_check(world.campaign, held_on=dt.date(2026, 5, 20), title="点调会",
                           indicators=[], units=units, actor=world.office)  # fmt: skip
    for unit in units:
        post = Post.objects.current().filter(unit=unit).order_by("order")[0]
        add_shortfall(check, post, text="短板", measure="举措", due_on=dt.date(2026, 6, 30),
                      actor=world.office)  # fmt: skip


def test_it_reads_the_overdue_list_in_the_same_number_of_queries_for_13_and_130_units(world):
    client = world.client_for(world.office)
    url = reverse("checks:overdue", kwargs={"pk": world.campaign.pk})
    grow(world, 13, 3)
    overdue_everywhere(world)
    small = queries(client, url)
    grow(world, 130, 3)
    overdue_everywhere(world)
    assert queries(client, url) == small
    assert client.get(url).content.decode().count("短板") >= 130
