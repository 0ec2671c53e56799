"""Score events: entered by the office, withdrawn with a reason, read by the unit, and given
to the engine."""

import datetime as dt

import pytest
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.events.models import ScoreEvent, Withdrawal
from sanhao.events.services import add_event, withdraw_event
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.rankings.bridge import build_facts
from sanhao.rankings.runs import compute_scores
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.rankings.tests.test_runs import TODAY, fill

DAY = dt.date(2026, 4, 1)


def event(world, **kwargs):
    values = {"kind": "bonus", "item": "honour", "happened_on": DAY, "note": "省级表彰"}
    values.update(kwargs)
    unit = values.pop("unit", world.a)
    return add_event(world.campaign, unit, actor=world.office, **values)


def facts(world):
    return build_facts(world.campaign, check_scheme(current_scheme(world.campaign).source),
                       today=TODAY)  # fmt: skip


def test_events_reach_the_engine_for_the_team_a_person_and_a_veto(world):
    fill(world)
    event(world)
    event(world, kind="deduction", item="lying_flat", post=world.posts["A1"], count=2,
          note="推诿扯皮")  # fmt: skip
    event(world, kind="veto", item="safety_incident", unit=world.b, note="安全事故")
    event(world, kind="veto", item="admonition", post=world.posts["A2"], note="诫勉")
    got = facts(world)
    assert got["bonuses"] == [{"candidate": "T-town-a", "item": "honour", "count": 1,
                               "note": "省级表彰"}]  # fmt: skip
    assert got["deductions"] == [{"candidate": "D-town-a-A002", "item": "lying_flat",
                                  "count": 2, "note": "推诿扯皮"}]  # fmt: skip
    assert got["vetoes"] == [{"unit": "town-b", "kind": "safety_incident", "note": "安全事故"},
                             {"candidate": "D-town-a-A003", "kind": "admonition", "note": "诫勉"}]  # fmt: skip
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)
    assert "B" in run.result and "safety_incident" in run.result


def test_a_withdrawn_event_no_longer_counts_and_stays_in_the_record(world):
    fill(world)
    honour = event(world)
    withdraw_event(honour, reason="重复录入", actor=world.office)
    assert facts(world)["bonuses"] == []
    assert (
        ScoreEvent.objects.filter(pk=honour.pk).exists()
        and Withdrawal.objects.get().reason == "重复录入"
    )
    with pytest.raises(DomainError, match="已撤销"):
        withdraw_event(honour, reason="again", actor=world.office)
    with pytest.raises(AppendOnlyError):
        honour.delete()
    assert AuditEntry.objects.filter(action="events.event.withdraw").count() == 1


def test_an_event_on_a_person_who_left_is_left_out(world):
    from sanhao.orgs import services as org_services

    fill(world)
    event(world, kind="deduction", item="lying_flat", post=world.posts["A1"], note="慢作为")
    org_services.end_post(world.posts["A1"], dt.date(2026, 6, 1), actor=world.office)
    assert facts(world)["deductions"] == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "prize"}, "未知的事件类别"),
        ({"item": "nonsense"}, "没有这一事项"),
        ({"kind": "veto", "item": "honour"}, "没有这一事项"),
        ({"happened_on": dt.date(2025, 12, 31)}, "2026"),
        ({"count": 0}, "1 至 1000"),
        ({"note": "  "}, "请说明"),
        ({"post_of": "B1"}, "不在该镇街"),
        ({"post_of": "A1", "happened_on": dt.date(2026, 1, 1), "ended": True}, "未担任"),
    ],
)
def test_a_wrong_event_is_refused(world, kwargs, message):
    from sanhao.orgs import services as org_services

    kwargs = dict(kwargs)
    if post_of := kwargs.pop("post_of", None):
        kwargs["post"] = world.posts[post_of]
    if kwargs.pop("ended", False):
        org_services.end_post(world.posts["A1"], dt.date(2025, 6, 1), actor=world.office)
        kwargs["post"].refresh_from_db()
    with pytest.raises(DomainError, match=message):
        event(world, **kwargs)
    assert not ScoreEvent.objects.exists()


@pytest.mark.parametrize("who", ["liaison_a", "judge", "viewer"])
def test_only_the_office_enters_and_withdraws(world, who):
    honour = event(world)
    user = getattr(world, who)
    with pytest.raises(DomainError):
        add_event(world.campaign, world.a, kind="bonus", item="honour", happened_on=DAY,
                  note="x", actor=user)  # fmt: skip
    with pytest.raises(DomainError):
        withdraw_event(honour, reason="x", actor=user)
    client = world.client_for(user)
    url = reverse("events:withdraw", args=[world.campaign.pk, honour.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    form = client.post(reverse("events:list", args=[world.campaign.pk]), {"note": "x"})
    assert form.status_code == 403
    assert ScoreEvent.objects.count() == 1 and not Withdrawal.objects.exists()


def test_the_office_enters_and_withdraws_on_the_page(world):
    client = world.client_for(world.office)
    url = reverse("events:list", args=[world.campaign.pk])
    page = client.get(url).content.decode()
    assert "上级表彰荣誉" in page and "一票否决" in page
    response = client.post(url, {"item": "bonus:honour", "unit": world.a.pk, "post": "",
                                 "count": 1, "happened_on": "2026年4月1日", "note": "获省级表彰",
                                 "evidence": "苏委〔2026〕1号"}, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "已录入" in body and "获省级表彰" in body and "苏委〔2026〕1号" in body
    honour = ScoreEvent.objects.get()
    body = client.post(reverse("events:withdraw", args=[world.campaign.pk, honour.pk]),
                       {"reason": "录错"}, follow=True).content.decode()  # fmt: skip
    assert "已撤销：录错" in body


def test_a_liaison_reads_their_units_events_only(world):
    event(world, note="甲镇的表彰")
    event(world, unit=world.b, note="乙街道的表彰")
    body = (
        world.client_for(world.liaison_a)
        .get(reverse("events:list", args=[world.campaign.pk]))
        .content.decode()
    )
    assert "甲镇的表彰" in body and "乙街道的表彰" not in body and "录入事件" not in body
    assert (
        world.client_for(world.judge)
        .get(reverse("events:list", args=[world.campaign.pk]))
        .status_code
        == 403
    )
