"""Pages fetch the rows they show, not the district: model instances built per request
do not grow with the number of units or the length of a unit's history (issue 6, item 14)."""

import datetime as dt
from contextlib import contextmanager

from django.db.backends.utils import CursorWrapper
from django.db.models.signals import post_init
from django.urls import reverse

from sanhao.orgs import services, views
from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow


@contextmanager
def counting():
    """Count the model instances built and the rows read from the database."""
    built: list[str] = []
    fetched = [0]

    def count(sender, **kwargs):
        built.append(sender.__name__)

    names = ("fetchone", "fetchmany", "fetchall")  # CursorWrapper passes them to the cursor

    def counted(name):
        def fetch(self, *args, **kwargs):
            result = getattr(self.cursor, name)(*args, **kwargs)
            if name == "fetchone":
                fetched[0] += result is not None
            else:
                fetched[0] += len(result)
            return result

        return fetch

    post_init.connect(count, weak=False)
    for name in names:
        setattr(CursorWrapper, name, counted(name))
    try:
        yield built, fetched
    finally:
        post_init.disconnect(count)
        for name in names:
            delattr(CursorWrapper, name)


def rows(client, url: str) -> list[str]:
    return measure(client, url)[0]


def measure(client, url: str) -> tuple[list[str], int]:
    client.get(url)  # the first request of a session may write it; count the steady state
    with counting() as (built, fetched):
        response = client.get(url)
    assert response.status_code == 200
    return built, fetched[0]


def test_the_unit_list_reads_one_row_per_unit_shown(world):
    client = world.client_for(world.office)
    url = reverse("orgs:unit_list")
    grow(world, 13, 3)
    small_built, small = measure(client, url)
    assert not {"Unit", "Post", "Person"} & set(small_built)
    grow(world, 130, 3)
    large_built, large = measure(client, url)
    assert large_built == small_built  # the session and the user
    assert large - views.UNITS_PER_PAGE == small - 13  # one row per unit shown, the rest fixed
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
    small, small_rows = measure(client, url)
    # Sixty past posts in the unit, and many other units.
    for year in range(60):
        person = services.create_person(code=f"H{year:03d}", name=f"旧{year}", gender="m",
                                        actor=world.office)  # fmt: skip
        post = services.start_post(person, world.a, role="deputy", title="副镇长",
                                   start=dt.date(1950 + year, 1, 1), actor=world.office)  # fmt: skip
        services.end_post(post, dt.date(1950 + year, 6, 1), actor=world.office)
    grow(world, 40, 3)
    large, large_rows = measure(client, url)
    assert large == small  # no post or person instance: plain rows
    assert large_rows - small_rows == views.PAST_POSTS_PER_PAGE  # the team is the same
    body = client.get(url, {"page": 2}).content.decode()
    assert "旧0" in body and "旧59" not in body  # the oldest on the second page


def test_the_home_page_reads_one_row_per_unit_up_to_its_limit(world):
    from sanhao.campaigns import views as home_views

    client = world.client_for(world.office)
    grow(world, 13, 2)
    small_built, small = measure(client, reverse("home"))
    assert not {"Unit", "Post", "Person"} & set(small_built)
    grow(world, 130, 2)
    large_built, large = measure(client, reverse("home"))
    assert large_built == small_built
    assert large - home_views.HOME_UNITS == small - 13
    body = client.get(reverse("home")).content.decode()
    assert "全部 130 个镇街" in body and "130 个镇街" in body


def test_a_liaison_reads_the_row_of_their_unit_only(world):
    grow(world, 20, 2)
    response = world.client_for(world.liaison_a).get(reverse("orgs:unit_list"))
    assert [row.code for row in response.context["rows"]] == [world.a.code]
    assert response.context["rows"][0].leader_name == "甲书记"
    assert response.context["page"].paginator.count == 1


def test_the_rows_match_the_orm(world):
    from django.db.models import Count, Q

    from sanhao.orgs.queries import unit_rows

    grow(world, 30, 2)
    services.end_post(world.posts["B0"], dt.date(2024, 1, 1), actor=world.office)
    scope = Unit.objects.all()
    rows = unit_rows(scope.values("id").query.sql_with_params(), offset=0, limit=1000)
    expected = []
    counted = scope.annotate(size=Count("posts", filter=Q(posts__end__isnull=True)))
    for unit in counted.order_by("order", "code"):
        leader = unit.posts.current().filter(role="leader").select_related("person").first()
        expected.append((unit.code, unit.name, unit.kind, unit.size,
                         leader.person.name if leader else None, leader.title if leader else None))  # fmt: skip
    assert [
        (r.code, r.name, r.kind, r.size, r.leader_name, r.leader_title) for r in rows
    ] == expected
    assert [
        r.code for r in unit_rows(scope.values("id").query.sql_with_params(), offset=5, limit=3)
    ] == [e[0] for e in expected[5:8]]
