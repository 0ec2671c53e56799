"""Every rule the database enforces comes back as the form's Chinese message, never a 500."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from sanhao.lib.errors import DomainError
from sanhao.orgs import services
from sanhao.orgs.models import District, Person, Post, Role, Unit


def _person(code: str, name: str = "新人") -> Person:
    return Person.objects.create(code=code, name=name, gender=Person.Gender.MALE)


def _refused(make) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        make()
    return caught.value


# Each constraint of the organisation's tables, broken behind the services' back.
BREAKERS = {
    "district name": lambda w: District.objects.create(name=w.district.name),
    "unit code": lambda w: Unit.objects.create(
        district=w.district, code=w.a.code, name="新镇", kind=Unit.Kind.TOWN
    ),
    "unit name": lambda w: Unit.objects.create(
        district=w.district, code="new", name=w.a.name, kind=Unit.Kind.TOWN
    ),
    "unit order": lambda w: Unit.objects.filter(pk=w.a.pk).update(order=-1),
    "person number": lambda w: _person(w.person("A0").code),
    "birth month": lambda w: Person.objects.filter(pk=w.person("A0").pk).update(
        birth_month=dt.date(1980, 5, 17)
    ),
    "post end": lambda w: Post.objects.filter(pk=w.posts["A1"].pk).update(end=dt.date(2020, 1, 1)),
    "post order": lambda w: Post.objects.filter(pk=w.posts["A1"].pk).update(order=-1),
    "same post": lambda w: Post.objects.create(
        person=w.person("A1"),
        unit=w.a,
        role=Role.DEPUTY,
        title=w.posts["A1"].title,
        start=w.posts["A1"].start,
    ),
    "second leader": lambda w: Post.objects.create(
        person=_person("N1"),
        unit=w.a,
        role=Role.LEADER,
        title="党委书记",
        start=dt.date(2023, 1, 1),
    ),
    "overlapping past leader": lambda w: Post.objects.create(
        person=_person("N2"),
        unit=w.a,
        role=Role.LEADER,
        title="党委书记",
        start=dt.date(2019, 1, 1),
        end=dt.date(2022, 1, 1),
    ),
}
EXPECTED = {
    "district name": "已有同名的区",
    "unit code": "已有使用该代码的镇街",
    "unit name": "已有同名的镇街",
    "unit order": "排序不能为负数",
    "person number": "已有使用该编号的人员",
    "birth month": "出生年月按当月 1 日保存",
    "post end": "任职结束必须晚于任职开始",
    "post order": "排序不能为负数",
    "same post": "此人自该日起已有相同任职",
    "second leader": "这个镇街在这段时间已有班长",
    "overlapping past leader": "这个镇街在这段时间已有班长",
}


@pytest.mark.parametrize("rule", sorted(BREAKERS))
def test_it_explains_each_constraint_of_the_database_in_chinese(world, rule):
    error = _refused(lambda: BREAKERS[rule](world))
    assert EXPECTED[rule] in services.explain_integrity_error(error)


def test_it_explains_a_constraint_it_does_not_know_without_a_traceback(world):
    message = services.explain_integrity_error(IntegrityError("some_new_rule violated"))
    assert "数据库" in message and "Traceback" not in message


def test_it_refuses_to_rename_a_unit_to_the_name_of_another(world):
    with pytest.raises(DomainError, match="已有名为 甲镇 的镇街"):
        services.update_unit(world.b, name="甲镇", actor=world.office)
    world.b.refresh_from_db()
    assert world.b.name == "乙街道"


def test_it_answers_the_form_when_a_unit_is_renamed_to_another_units_name(world):
    client = world.client_for(world.office)
    url = reverse("orgs:unit_edit", kwargs={"code": world.b.code})
    response = client.post(url, {"name": "甲镇", "kind": "town", "order": 2})
    assert response.status_code == 200
    assert "已有名为 甲镇 的镇街" in response.content.decode()


def test_it_answers_the_form_when_the_database_refuses_what_the_checks_let_through(
    world, monkeypatch
):
    """A race: the checks ran before another request saved the same name."""
    monkeypatch.setattr(services, "_unit_name_taken", lambda *args: False)
    client = world.client_for(world.office)
    url = reverse("orgs:unit_edit", kwargs={"code": world.b.code})
    response = client.post(url, {"name": "甲镇", "kind": "town", "order": 2})
    assert response.status_code == 200
    assert "已有同名的镇街" in response.content.decode()


@pytest.mark.parametrize("view", ["orgs:unit_edit", "orgs:post_create"])
def test_it_refuses_a_display_order_beyond_what_the_database_holds(world, view):
    client = world.client_for(world.office)
    data = {"name": "甲镇", "kind": "town", "order": "99999999999999999999",
            "person": world.person("B1").pk, "role": "deputy", "title": "委员", "start": "2024-01"}  # fmt: skip
    response = client.post(reverse(view, kwargs={"code": world.a.code}), data)
    assert response.status_code == 200
    assert "2147483647" in response.content.decode()


def test_it_answers_the_form_when_a_post_race_is_lost_in_the_database(world, monkeypatch):
    """The overlap check passed, then the database found the overlap: the form says so."""
    monkeypatch.setattr(services, "check_post", lambda post: None)
    client = world.client_for(world.office)
    url = reverse("orgs:post_create", kwargs={"code": world.a.code})
    response = client.post(url, {"person": world.person("B1").pk, "role": "leader",
                                 "title": "党委书记", "start": "2023-01", "order": 0})  # fmt: skip
    assert response.status_code == 200
    assert "这个镇街在这段时间已有班长" in response.content.decode()
    assert world.a.posts.filter(role=Role.LEADER).count() == 1


def test_it_answers_the_form_when_ending_a_post_breaks_a_rule_in_the_database(world, monkeypatch):
    monkeypatch.setattr(services, "check_post", lambda post: None)
    client = world.client_for(world.office)
    url = reverse("orgs:post_end", kwargs={"post_pk": world.posts["A1"].pk})
    response = client.post(url, {"end": "2020-01"})
    assert response.status_code == 200
    assert "任职结束必须晚于任职开始" in response.content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose"
)
@pytest.mark.django_db(transaction=True)
def test_it_answers_every_loser_of_twenty_simultaneous_leader_posts_with_the_form(world):
    unit = services.create_unit(world.district, code="town-c", name="丙镇",
                                kind=Unit.Kind.TOWN, order=3, actor=world.office)  # fmt: skip
    people = [
        services.create_person(code=f"C{i:02d}", name=f"丙{i}", gender="m", actor=world.office)
        for i in range(20)
    ]
    login = world.client_for(world.office)
    url = reverse("orgs:post_create", kwargs={"code": unit.code})
    barrier = threading.Barrier(len(people))
    answers: list[tuple[int, str]] = []

    def apply(person: Person) -> None:
        client = Client(raise_request_exception=False)
        client.cookies = login.cookies
        try:
            barrier.wait()
            response = client.post(url, {"person": person.pk, "role": "leader",
                                         "title": "党委书记", "start": "2024-01", "order": 0})  # fmt: skip
            answers.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Post.objects.filter(unit=unit, role=Role.LEADER).count() == 1
    assert sorted(status for status, _body in answers) == [200] * 19 + [302]
    for status, body in answers:
        if status == 200:
            assert "丙镇在这段时间已有班长" in body or "这个镇街在这段时间已有班长" in body
