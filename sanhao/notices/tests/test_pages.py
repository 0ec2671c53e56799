"""My reminders, the unread count in the navigation, the office's list of what was sent."""

import datetime as dt

from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.notices import services
from sanhao.notices.models import Notice
from sanhao.notices.tests.helpers import (
    JUNE_END,
    a_year_of_things,
    liaisons_everywhere,
    remedies_and_deviations_everywhere,
)
from sanhao.orgs.tests.test_query_counts import grow, queries


def raised(world):
    a_year_of_things(world)
    services.send_reminders(JUNE_END)


def test_each_person_sees_their_own_reminders_only(world):
    raised(world)
    body = world.client_for(world.liaison_a).get(reverse("notices:list")).content.decode()
    assert "甲镇：6月党委会月督尚未录入" in body and "乙街道" not in body
    assert body.count('class="unread"') == 2
    body = world.client_for(world.liaison_b).get(reverse("notices:list")).content.decode()
    assert "乙街道：6月中心组月学尚未录入" in body and "甲镇" not in body
    for user in (world.office, world.judge, world.viewer):
        assert "没有提醒" in world.client_for(user).get(reverse("notices:list")).content.decode()


def test_the_navigation_shows_the_unread_count(world):
    raised(world)
    client = world.client_for(world.liaison_a)
    body = client.get(reverse("home")).content.decode()
    assert "我的提醒" in body and 'aria-label="未读">2</mark>' in body
    client.post(reverse("notices:read"), {"all": "1"})
    assert 'aria-label="未读"' not in client.get(reverse("home")).content.decode()


def test_one_marks_a_reminder_read_or_all_of_them(world):
    raised(world)
    client = world.client_for(world.liaison_b)
    mine = list(Notice.objects.filter(recipient=world.liaison_b).order_by("id"))
    response = client.post(reverse("notices:read"), {"notice": mine[0].pk}, follow=True)
    assert "已将 1 条提醒标为已读" in response.content.decode()
    assert [
        n.read_at is not None
        for n in Notice.objects.filter(recipient=world.liaison_b).order_by("id")
    ] == [True, False]
    client.post(reverse("notices:read"), {"all": "1"})
    assert not Notice.objects.filter(recipient=world.liaison_b, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=world.liaison_a, read_at__isnull=True).count() == 2
    assert [
        e.data for e in AuditEntry.objects.filter(action="notices.notice.read").order_by("seq")
    ] == [{"count": 1}, {"count": 1}]
    response = client.post(reverse("notices:read"), {}, follow=True)
    assert "请选择要标为已读的提醒" in response.content.decode()


def test_another_persons_reminder_answers_404_and_stays_unread(world):
    raised(world)
    theirs = Notice.objects.filter(recipient=world.liaison_b).first()
    for user in (world.liaison_a, world.office):
        response = world.client_for(user).post(reverse("notices:read"), {"notice": theirs.pk})
        assert response.status_code == 404
    assert (
        world.client_for(world.liaison_a).post(reverse("notices:read"), {"notice": "x"}).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_office_sees_what_was_sent_filtered_by_day_kind_and_unit(world):
    raised(world)
    services.send_reminders(dt.date(2026, 7, 11))
    client = world.client_for(world.office)
    page = reverse("notices:sent")
    body = client.get(page).content.decode()
    assert "共 6 条提醒" in body and "liaison-a" in body and "liaison-b" in body
    body = client.get(page, {"day": "2026-07-11"}).content.decode()
    assert "共 2 条提醒" in body and "纠偏逾期" in body
    body = client.get(page, {"kind": "record_missing", "unit": world.b.code}).content.decode()
    assert "共 2 条提醒" in body and "甲镇：" not in body
    body = client.get(page, {"day": "明天"}).content.decode()
    assert "共 0 条提醒" in body and 'class="errorlist"' in body
    for user in (world.liaison_a, world.viewer, world.judge):
        assert world.client_for(user).get(page).status_code == 403


def test_the_pages_read_in_the_same_number_of_queries_for_13_and_130_units(world):
    office = world.client_for(world.office)
    liaison = world.client_for(world.liaison_a)
    pages = [(office, reverse("notices:sent")), (liaison, reverse("notices:list")),
             (liaison, reverse("home"))]  # fmt: skip
    grow(world, 13, 3)
    liaisons_everywhere(world)
    remedies_and_deviations_everywhere(world)
    services.send_reminders(JUNE_END)
    small = [queries(client, page) for client, page in pages]
    grow(world, 130, 3)
    liaisons_everywhere(world)
    remedies_and_deviations_everywhere(world)
    services.send_reminders(JUNE_END)
    services.send_reminders(JUNE_END + dt.timedelta(days=1))
    assert [queries(client, page) for client, page in pages] == small
