"""The office opens the next campaign year on its page, once the newest is decided."""

from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import CampaignYear, Phase
from sanhao.rankings.models import SchemeVersion


def test_the_office_opens_the_next_year_after_the_decision(world):
    CampaignYear.objects.filter(pk=world.campaign.pk).update(phase=Phase.DECIDED)
    client = world.client_for(world.office)
    home = client.get(reverse("home")).content.decode()
    assert reverse("campaigns:open_year") in home and "开启下一年度" in home
    page = client.get(reverse("campaigns:open_year")).content.decode()
    assert f'value="{world.campaign.year + 1}"' in page
    assert f"不填则为“{world.campaign.year + 1} 年度三好创争”" in page  # the year it opens
    response = client.post(reverse("campaigns:open_year"), {"year": world.campaign.year + 1})
    new = CampaignYear.objects.get(year=world.campaign.year + 1)
    assert response["Location"] == reverse("rankings:scheme", args=[new.pk])
    assert new.phase == Phase.PLAN and SchemeVersion.objects.filter(year=new).exists()
    entry = AuditEntry.objects.get(action="campaigns.year.open", object_id=str(new.pk))
    assert entry.actor == world.office


def test_it_refuses_a_new_year_while_the_newest_is_not_decided(world):
    client = world.client_for(world.office)
    home = client.get(reverse("home")).content.decode()
    assert "开启下一年度" not in home
    body = client.post(reverse("campaigns:open_year"), {"year": world.campaign.year + 1}
                       ).content.decode()  # fmt: skip
    assert "尚未作出表彰决定" in body and CampaignYear.objects.count() == 1


def test_it_refuses_an_earlier_or_the_same_year_and_bad_input(world):
    CampaignYear.objects.filter(pk=world.campaign.pk).update(phase=Phase.DECIDED)
    client = world.client_for(world.office)
    body = client.post(
        reverse("campaigns:open_year"), {"year": world.campaign.year}
    ).content.decode()
    assert f"新年度须晚于 {world.campaign.year} 年" in body
    body = client.post(reverse("campaigns:open_year"), {"year": "二〇二七"}).content.decode()
    assert 'role="alert"' in body and CampaignYear.objects.count() == 1


def test_only_the_office_opens_a_year(world):
    CampaignYear.objects.filter(pk=world.campaign.pk).update(phase=Phase.DECIDED)
    for user in (world.viewer, world.liaison_a, world.judge):
        client = world.client_for(user)
        assert client.post(reverse("campaigns:open_year"), {"year": 2030}).status_code == 403
    assert CampaignYear.objects.count() == 1


def test_the_admin_cannot_add_a_year_behind_the_service(world):
    response = world.client_for(world.office).get("/admin/campaigns/campaignyear/add/")
    assert response.status_code == 403
