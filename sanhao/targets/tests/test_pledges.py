"""A unit's targets and pledges (比担当): who writes, rows never change, the page by role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import Phase
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.orgs.tests.test_query_counts import grow, queries
from sanhao.targets.models import Pledge
from sanhao.targets.pledges import add_pledge, correct_pledge, current_pledges, withdraw_pledge
from sanhao.targets.services import Entry, enter_figures


def url(world, unit=None) -> str:
    return reverse("targets:pledges", kwargs={"pk": world.campaign.pk,
                                              "code": (unit or world.a).code})  # fmt: skip


def change_url(world, pledge) -> str:
    return reverse("targets:change_pledge", kwargs={"pk": world.campaign.pk,
                                                    "code": pledge.unit.code, "pledge_pk": pledge.pk})  # fmt: skip


def test_it_publishes_corrects_and_withdraws_with_new_rows_and_audit_entries(world):
    leader = world.posts["A1"]
    first = add_pledge(world.campaign, world.a, post=leader, text="  开票销售增长 10%  ",
                       actor=world.liaison_a)  # fmt: skip
    team = add_pledge(world.campaign, world.a, post=None, text="全年招引亿元项目 5 个",
                      actor=world.office)  # fmt: skip
    assert first.text == "开票销售增长 10%"
    fixed = correct_pledge(first, text="开票销售增长 12%", reason="目标上调", actor=world.liaison_a)
    with pytest.raises(DomainError, match="已被更正或撤回"):
        correct_pledge(first, text="再改", reason="x", actor=world.liaison_a)
    withdraw_pledge(team, reason="并入班长承诺", actor=world.office)
    assert [p.text for p in current_pledges(world.campaign, world.a)] == ["开票销售增长 12%"]
    assert fixed.supersedes == first and Pledge.objects.count() == 4
    actions = list(AuditEntry.objects.filter(action__startswith="targets.pledge")
                   .values_list("action", flat=True).order_by("seq"))  # fmt: skip
    assert actions == ["targets.pledge.add", "targets.pledge.add", "targets.pledge.correct",
                       "targets.pledge.withdraw"]  # fmt: skip
    with pytest.raises(AppendOnlyError):
        fixed.save()
    with pytest.raises(AppendOnlyError):
        Pledge.objects.filter(pk=first.pk).delete()


@pytest.mark.parametrize(
    ("who", "unit", "post", "message"),
    [
        ("liaison_b", "a", None, "本单位"),
        ("judge", "a", None, "本单位"),
        ("viewer", "a", None, "本单位"),
        ("office", "a", "B1", "不在该单位班子"),
    ],
)
def test_it_refuses_the_wrong_writer_or_member(world, who, unit, post, message):
    with pytest.raises(DomainError, match=message):
        add_pledge(world.campaign, getattr(world, unit), post=world.posts[post] if post else None,
                   text="承诺", actor=getattr(world, who))  # fmt: skip
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(("text", "message"), [("   ", "请填写"), ("字" * 501, "最多 500")])
def test_it_refuses_an_empty_or_overlong_pledge(world, text, message):
    with pytest.raises(DomainError, match=message):
        add_pledge(world.campaign, world.a, post=None, text=text, actor=world.liaison_a)


def test_the_liaison_stops_at_the_evaluation_and_the_office_goes_on(world):
    pledge = add_pledge(world.campaign, world.a, post=None, text="承诺", actor=world.liaison_a)
    world.campaign.phase = Phase.EVALUATION
    world.campaign.save()
    with pytest.raises(DomainError, match="评估"):
        correct_pledge(pledge, text="改", reason="x", actor=world.liaison_a)
    assert correct_pledge(pledge, text="改", reason="专班核实", actor=world.office).pk


@pytest.mark.parametrize(("role", "status"), [("office", 200), ("viewer", 200),
                                              ("liaison_a", 200), ("liaison_b", 404), ("judge", 403)])  # fmt: skip
def test_the_page_is_read_by_the_units_readers_only(world, role, status):
    add_pledge(world.campaign, world.a, post=world.posts["A1"], text="争创全区第一",
               actor=world.office)  # fmt: skip
    response = world.client_for(getattr(world, role)).get(url(world))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "争创全区第一" in body and world.posts["A1"].person.name in body
        assert ("公开一条承诺" in body) == (role in {"office", "liaison_a"})


def test_the_page_shows_the_published_targets_with_the_planned_growth(world):
    enter_figures(world.campaign, world.a, [Entry("sales", "plan", 0, 110),
                  Entry("sales", "prior", 0, 100)], actor=world.office)  # fmt: skip
    body = world.client_for(world.liaison_a).get(url(world)).content.decode()
    assert "晒目标" in body and "110" in body and "10.0%" in body


def test_a_liaison_publishes_corrects_and_withdraws_through_the_page(world):
    client = world.client_for(world.liaison_a)
    response = client.post(url(world), {"post": world.posts["A2"].pk, "text": "到账外资翻番"})
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    refused = client.post(
        change_url(world, pledge), {"action": "correct", "text": "x", "reason": ""}
    )
    assert refused.status_code == 302 and Pledge.objects.count() == 1
    client.post(change_url(world, pledge), {"action": "correct", "text": "到账外资增长 80%",
                                            "reason": "按区定目标调整"})  # fmt: skip
    body = client.get(url(world)).content.decode()
    assert "到账外资增长 80%" in body and "按区定目标调整" in body and "到账外资翻番" not in body
    newest = Pledge.objects.order_by("-id").first()
    client.post(change_url(world, newest), {"action": "withdraw", "reason": "分工调整"})
    assert "尚未公开承诺" in client.get(url(world)).content.decode()


def test_another_units_liaison_cannot_touch_the_pledge(world):
    pledge = add_pledge(world.campaign, world.a, post=None, text="承诺", actor=world.office)
    client = world.client_for(world.liaison_b)
    assert client.post(url(world), {"text": "x"}).status_code == 404
    assert (
        client.post(change_url(world, pledge), {"action": "withdraw", "reason": "x"}).status_code
        == 404
    )
    # Through the liaison's own unit, another unit's pledge is not found either.
    own = reverse("targets:change_pledge", kwargs={"pk": world.campaign.pk, "code": world.b.code,
                                                   "pledge_pk": pledge.pk})  # fmt: skip
    assert client.post(own, {"action": "withdraw", "reason": "x"}).status_code == 404
    assert world.client_for(world.viewer).post(url(world), {"text": "x"}).status_code == 403
    assert Pledge.objects.count() == 1


def test_the_page_reads_in_the_same_number_of_queries_for_13_and_130_units(world):
    add_pledge(world.campaign, world.a, post=world.posts["A1"], text="承诺", actor=world.office)
    client = world.client_for(world.office)
    grow(world, 13, 3)
    small = queries(client, url(world))
    grow(world, 130, 3)
    for post in ("A1", "A2", "A1", None, None):
        add_pledge(world.campaign, world.a, post=world.posts[post] if post else None,
                   text="又一条承诺", actor=world.office)  # fmt: skip
    assert queries(client, url(world)) == small


def test_the_demo_gives_every_unit_its_teams_pledge_and_two_members(world):
    from sanhao.orgs.models import Unit
    from sanhao.targets.demo import seed_pledges

    grow(world, 13, 3)
    units = list(Unit.objects.order_by("order"))
    seed_pledges(world.campaign, units, world.office)
    for unit in units:
        current = current_pledges(world.campaign, unit)
        assert len(current) == 3 and current[0].post is None
    assert Pledge.objects.filter(supersedes__isnull=False).count() == 1


def test_home_links_the_liaison_to_the_pledges_and_every_reader_to_the_events_and_scores(world):
    home = reverse("home")
    liaison = world.client_for(world.liaison_a).get(home).content.decode()
    assert f'href="{url(world)}"' in liaison and "加分、扣分与一票否决事项" in liaison
    assert "各镇街量化计分" not in liaison  # the scores page names every unit
    scores = reverse("rankings:scores", args=[world.campaign.pk])
    for who in ("office", "viewer"):
        body = world.client_for(getattr(world, who)).get(home).content.decode()
        assert f'href="{scores}"' in body and "加分、扣分与一票否决事项" in body
    judge = world.client_for(world.judge).get(home).content.decode()
    assert "加分、扣分" not in judge and "晒目标" not in judge
