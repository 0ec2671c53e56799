import itertools

import pytest
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import PHASE_ORDER, CampaignYear, Phase
from sanhao.campaigns.services import advance_phase, open_campaign_year
from sanhao.lib.errors import DomainError


def test_it_moves_through_every_phase_in_order_and_logs_each_move(world):
    campaign = world.campaign
    assert campaign.phase == Phase.PLAN
    for to in PHASE_ORDER[1:]:
        campaign = advance_phase(campaign, to=to, actor=world.office)
    assert campaign.phase == Phase.DECIDED
    moves = AuditEntry.objects.filter(action="campaigns.year.advance").order_by("seq")
    assert [(e.data["from"], e.data["to"]) for e in moves] == list(itertools.pairwise(PHASE_ORDER))
    assert all(e.actor == world.office for e in moves)
    with pytest.raises(DomainError, match="已作出表彰决定"):
        advance_phase(campaign, to=Phase.PLAN, actor=world.office)


@pytest.mark.parametrize("to", [Phase.PLAN, Phase.EVALUATION, Phase.DECIDED, "nonsense"])
def test_it_refuses_to_skip_or_go_back(world, to):
    with pytest.raises(DomainError, match="阶段只能从“创争规划”进入“全程管控”"):
        advance_phase(world.campaign, to=to, actor=world.office)


@pytest.mark.parametrize("role", ["liaison_a", "judge", "viewer"])
def test_it_lets_only_the_office_move_the_phase(world, role):
    with pytest.raises(DomainError, match="只有组织部工作专班"):
        advance_phase(world.campaign, to=Phase.PROCESS, actor=getattr(world, role))


def test_it_refuses_a_second_campaign_for_the_same_year(world):
    with pytest.raises(DomainError, match="2026 年度已经开启"):
        open_campaign_year(world.district, 2026, actor=world.office)


def test_it_moves_the_phase_from_the_home_page(world):
    client = world.client_for(world.office)
    home = client.get(reverse("home")).content.decode()
    assert "<h1>2026 年度三好创争</h1>" in home
    assert "当前阶段：<strong>创争规划</strong>" in home and "进入下一阶段：全程管控" in home
    url = reverse("campaigns:advance", kwargs={"pk": world.campaign.pk})
    response = client.post(url, {"to": "process"}, follow=True)
    assert "已进入“全程管控”阶段" in response.content.decode()
    world.campaign.refresh_from_db()
    assert world.campaign.phase == Phase.PROCESS
    stale = client.post(url, {"to": "process"}, follow=True)  # a second click, from an old page
    assert "阶段只能从“全程管控”进入“考量比选”" in stale.content.decode()


def test_it_hides_the_phase_button_from_others(world):
    for role in ("liaison_a", "judge", "viewer"):
        home = world.client_for(getattr(world, role)).get(reverse("home")).content.decode()
        assert "创争规划" in home and "进入下一阶段" not in home


def test_it_tells_a_judge_there_is_nothing_assigned(world):
    home = world.client_for(world.judge).get(reverse("home")).content.decode()
    assert "目前没有分配给你的评分对象" in home and "甲镇" not in home


def test_it_shows_the_standard_title_in_the_readers_language(world):
    client = world.client_for(world.viewer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "<h1>2026 Three Goods campaign</h1>" in client.get(reverse("home")).content.decode()
    # Stored empty: the title is not frozen in the language of whoever opened the year.
    assert CampaignYear.objects.get(pk=world.campaign.pk).title == ""


def test_it_shows_the_office_the_chain_head_at_every_phase_change(world):
    from sanhao.audit.services import chain_head

    client = world.client_for(world.office)
    response = client.post(
        reverse("campaigns:advance", args=[world.campaign.pk]), {"to": Phase.PROCESS}, follow=True
    )
    seq, head = chain_head()
    body = response.content.decode()
    assert AuditEntry.objects.get(seq=seq).action == "campaigns.year.advance"
    assert f"审计链头：第 {seq} 条 {head}" in body  # the message after the change
    assert f"verify_audit --head {seq}:{head}" in body
    assert f"<code>{head}</code>" in body  # and on the home page itself


@pytest.mark.parametrize("role", ["liaison_a", "judge", "viewer"])
def test_it_shows_the_chain_head_to_no_one_else(world, role):
    from sanhao.audit.services import chain_head

    body = world.client_for(getattr(world, role)).get(reverse("home")).content.decode()
    assert chain_head()[1] not in body and "审计链头" not in body
