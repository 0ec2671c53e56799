"""The scores page, the compute button, and K with its breakdown on the unit page."""

import pytest
from django.urls import reverse

from sanhao.rankings.models import ScoreRun
from sanhao.rankings.tests.test_runs import fill


def test_the_office_computes_from_the_page_and_sees_every_units_k(world):
    fill(world)
    client = world.client_for(world.office)
    response = client.post(reverse("rankings:compute", args=[world.campaign.pk]), follow=True)
    body = response.content.decode()
    run = ScoreRun.objects.get()
    assert f"已完成计分（第 {run.pk} 次" in body
    assert "甲镇" in body and "乙街道" in body and "甲镇长（镇长）" in body


def test_the_page_says_what_is_missing_instead_of_computing(world):
    fill(world, [world.a])
    client = world.client_for(world.office)
    body = client.post(reverse("rankings:compute", args=[world.campaign.pk]), follow=True
                       ).content.decode()  # fmt: skip
    assert "尚缺：乙街道·开票销售" in body and not ScoreRun.objects.exists()
    assert "本年度尚未计分" in body


@pytest.mark.parametrize(("who", "status"), [("office", 200), ("viewer", 200), ("liaison_a", 403),
                                             ("judge", 403)])  # fmt: skip
def test_who_reads_the_scores_page(world, who, status):
    url = reverse("rankings:scores", args=[world.campaign.pk])
    assert world.client_for(getattr(world, who)).get(url).status_code == status


@pytest.mark.parametrize("who", ["viewer", "liaison_a", "judge"])
def test_only_the_office_computes_from_the_page(world, who):
    fill(world)
    response = world.client_for(getattr(world, who)).post(
        reverse("rankings:compute", args=[world.campaign.pk])
    )
    assert response.status_code == 403 and not ScoreRun.objects.exists()


def test_the_unit_page_shows_k_and_its_breakdown_to_its_liaison(world):
    fill(world)
    client = world.client_for(world.liaison_a)
    url = reverse("orgs:unit_detail", args=[world.a.code])
    assert "本年度尚未计分" in client.get(url).content.decode()
    world.client_for(world.office).post(reverse("rankings:compute", args=[world.campaign.pk]))
    body = client.get(url).content.decode()
    assert "量化计分 K" in body and "本镇街 K：<strong>" in body
    assert "开票销售" in body and "中心组月学 按时 0 次（应 12 次），缺 12 次" in body
    assert "甲书记（党委书记）" in body and "乙书记" not in body  # only town A's lines


def test_a_deputys_k_names_the_indicators_they_oversee(world):
    from sanhao.targets.services import set_oversight

    fill(world)
    set_oversight(world.campaign, world.posts["A1"], ["sales"], actor=world.office)
    world.client_for(world.office).post(reverse("rankings:compute", args=[world.campaign.pk]))
    body = (
        world.client_for(world.office)
        .get(reverse("orgs:unit_detail", args=[world.a.code]))
        .content.decode()
    )
    assert "甲镇长（镇长）" in body and "分管指标（开票销售）和过程记录" in body
    assert "上年同期" in body and "100.0000" not in body  # amounts as clerks write them


def test_every_k_of_the_overview_opens_its_breakdown_and_the_deputys_sum_checks(world):
    import re
    from decimal import ROUND_HALF_UP, Decimal

    from sanhao.orgs.tests.test_query_counts import grow, queries
    from sanhao.targets.services import set_oversight

    fill(world)
    set_oversight(world.campaign, world.posts["A1"], ["sales"], actor=world.office)
    client = world.client_for(world.office)
    client.post(reverse("rankings:compute", args=[world.campaign.pk]))
    url = reverse("rankings:scores", args=[world.campaign.pk])
    body = client.get(url).content.decode()
    assert body.count('<details class="k">') >= 2 + 2  # two units, their deputies
    assert "开票销售" in body and "中心组月学 按时 0 次" in body
    # The deputy's K as a person checking by hand reads it: 100 × (Σ s) / (Σ W) = K.
    found = re.search(r"100 × \(([0-9.+ ]+)\) / \(([0-9.+ ]+)\) = ([0-9.]+)", body)
    assert found, "the deputy's formula is on the page"
    scores = sum(Decimal(x) for x in found.group(1).split(" + "))
    points = sum(Decimal(x) for x in found.group(2).split(" + "))
    k = (100 * scores / points).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(k - Decimal(found.group(3))) <= Decimal("0.01")  # the parts are rounded to cents
    small = queries(client, url)
    grow(world, 13, 3)
    assert queries(client, url) == small
