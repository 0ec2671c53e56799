import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from sanhao.audit.models import AuditEntry
from sanhao.lib.errors import DomainError
from sanhao.orgs import services
from sanhao.orgs.models import Person, Post, Role


def _newcomer(world, code="N001", name="新书记"):
    return services.create_person(code=code, name=name, gender=Person.Gender.FEMALE,
                                  actor=world.office)  # fmt: skip


def test_it_answers_who_held_which_post_on_a_date_in_one_query(world, django_assert_num_queries):
    old = world.posts["A0"]
    services.end_post(old, dt.date(2024, 3, 1), actor=world.office)
    new = services.start_post(_newcomer(world), world.a, role=Role.LEADER, title="党委书记",
                              start=dt.date(2024, 3, 1), actor=world.office)  # fmt: skip
    with django_assert_num_queries(1):
        before = list(Post.objects.held_on(dt.date(2024, 2, 29)).filter(role=Role.LEADER,
                                                                        unit=world.a))  # fmt: skip
    assert before == [old]
    assert list(Post.objects.held_on(dt.date(2024, 3, 1)).filter(role=Role.LEADER,
                                                                 unit=world.a)) == [new]  # fmt: skip
    assert list(Post.objects.held_on(dt.date(2021, 9, 30)).filter(unit=world.a)) == []


def test_it_keeps_the_history_when_a_leader_changes(world):
    old = world.posts["A0"]
    services.end_post(old, dt.date(2024, 3, 1), actor=world.office)
    services.start_post(_newcomer(world), world.a, role=Role.LEADER, title="党委书记",
                        start=dt.date(2024, 3, 1), actor=world.office)  # fmt: skip
    old.refresh_from_db()
    assert (old.start, old.end) == (dt.date(2021, 10, 1), dt.date(2024, 3, 1))
    assert world.a.posts.filter(role=Role.LEADER).count() == 2
    assert AuditEntry.objects.filter(action="orgs.post.end", object_id=str(old.pk)).exists()


def test_it_refuses_a_second_leader_at_the_same_time(world):
    with pytest.raises(DomainError, match="甲镇在这段时间已有班长：甲书记"):
        services.start_post(_newcomer(world), world.a, role=Role.LEADER, title="党委书记",
                            start=dt.date(2023, 1, 1), actor=world.office)  # fmt: skip


def test_it_refuses_an_overlapping_past_leader(world):
    services.end_post(world.posts["A0"], dt.date(2024, 3, 1), actor=world.office)
    with pytest.raises(DomainError):
        services.start_post(_newcomer(world), world.a, role=Role.LEADER, title="党委书记",
                            start=dt.date(2019, 1, 1), end=dt.date(2021, 10, 2),
                            actor=world.office)  # fmt: skip
    # Ending the day the other starts is no overlap.
    services.start_post(_newcomer(world, "N002", "前任"), world.a, role=Role.LEADER,
                        title="党委书记", start=dt.date(2019, 1, 1), end=dt.date(2021, 10, 1),
                        actor=world.office)  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2023, 1, 1), None),  # both open
        (dt.date(2019, 1, 1), dt.date(2021, 10, 2)),  # ends one day into the current post
        (dt.date(2022, 1, 1), dt.date(2022, 6, 1)),  # inside the current post
    ],
)
def test_it_is_refused_by_the_database_too(world, start, end):
    person = _newcomer(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(person=person, unit=world.a, role=Role.LEADER, title="党委书记",
                            start=start, end=end)  # fmt: skip


def test_it_lets_the_database_take_a_leader_of_another_unit_or_a_deputy(world):
    person = _newcomer(world)
    Post.objects.create(person=person, unit=world.a, role=Role.DEPUTY, title="副镇长",
                        start=dt.date(2023, 1, 1))  # fmt: skip


def test_it_refuses_in_the_database_an_update_that_makes_leaders_overlap(world):
    services.end_post(world.posts["A0"], dt.date(2024, 3, 1), actor=world.office)
    new = services.start_post(_newcomer(world), world.a, role=Role.LEADER, title="党委书记",
                              start=dt.date(2024, 3, 1), actor=world.office)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=new.pk).update(start=dt.date(2024, 2, 1))


def test_it_refuses_an_end_before_the_start(world):
    with pytest.raises(DomainError, match="任职结束必须晚于任职开始"):
        services.end_post(world.posts["A1"], dt.date(2021, 10, 1), actor=world.office)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=world.posts["A1"].pk).update(end=dt.date(2020, 1, 1))


def test_it_refuses_to_end_a_post_twice(world):
    services.end_post(world.posts["A1"], dt.date(2024, 1, 1), actor=world.office)
    with pytest.raises(DomainError, match="已于 2024-01-01 结束"):
        services.end_post(world.posts["A1"], dt.date(2024, 2, 1), actor=world.office)


def test_it_keeps_the_old_values_of_a_correction_in_the_audit_log(world):
    post = world.posts["A2"]
    changed = services.correct_post(post, title="党委委员、副镇长", actor=world.office)
    assert changed == {"title": ["副镇长", "党委委员、副镇长"]}
    entry = AuditEntry.objects.get(action="orgs.post.correct")
    assert entry.data == {"changes": {"title": ["副镇长", "党委委员、副镇长"]}}
    assert services.correct_post(post, title="党委委员、副镇长", actor=world.office) == {}
    assert AuditEntry.objects.filter(action="orgs.post.correct").count() == 1


def test_it_records_person_updates_with_before_and_after(world):
    person = world.person("A1")
    services.update_person(person, birth_month=dt.date(1985, 7, 19), actor=world.office)
    person.refresh_from_db()
    assert person.birth_month == dt.date(1985, 7, 1)
    entry = AuditEntry.objects.get(action="orgs.person.update")
    assert entry.data["changes"]["birth_month"] == [None, "1985-07-01"]
    assert entry.actor == world.office
