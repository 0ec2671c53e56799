"""The spot checks page, the overdue list and the progress update, by role."""

import datetime as dt

import pytest
from django.urls import reverse

from sanhao.checks.models import RemedyUpdate, Shortfall, SpotCheck
from sanhao.checks.services import update_remedy
from sanhao.checks.tests.helpers import shortfall, spot_check


def url(world, name="checks:list", **kwargs):
    return reverse(name, kwargs={"pk": world.campaign.pk, **kwargs})


@pytest.mark.parametrize("who", ["office", "viewer", "liaison_a"])
def test_readers_open_the_pages(world, who):
    shortfall(world, text="甲镇的短板")
    client = world.client_for(getattr(world, who))
    body = client.get(url(world)).content.decode()
    assert "上半年点调会" in body and "甲镇的短板" in body and "开票销售" in body
    assert client.get(url(world, "checks:overdue")).status_code == 200


def test_a_judge_gets_403(world):
    client = world.client_for(world.judge)
    assert client.get(url(world)).status_code == 403
    assert client.get(url(world, "checks:overdue")).status_code == 403


def test_a_liaison_sees_only_their_unit(world):
    check = spot_check(world)
    shortfall(world, check, text="甲镇的短板")
    other = shortfall(world, check, post="B1", text="乙街道的短板", due_on=dt.date(2026, 6, 1))
    spot_check(world, units=[world.b], title="乙街道专场点调会")
    client = world.client_for(world.liaison_a)
    body = client.get(url(world)).content.decode()
    assert "甲镇的短板" in body and "乙街道" not in body and "专场" not in body
    assert "录入点调会" not in body and "添加问题短板" not in body
    overdue = client.get(url(world, "checks:overdue")).content.decode()
    assert "乙街道" not in overdue
    office = world.client_for(world.office).get(url(world, "checks:overdue")).content.decode()
    assert "乙街道的短板" in office
    response = client.post(url(world, "checks:update_remedy", remedy_pk=other.remedy.pk),
                           {"status": "done", "note": "x"})  # fmt: skip
    assert response.status_code == 404 and not RemedyUpdate.objects.exists()


def test_the_office_records_a_spot_check_on_the_page(world):
    client = world.client_for(world.office)
    response = client.post(url(world), {"held_on": "2026年5月20日", "title": "五月点调会",
                                        "indicators": ["sales", "fdi_received"],
                                        "units": [world.a.pk, world.b.pk],
                                        "minutes": "逐镇点评"}, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "已录入点调会" in body and "五月点调会" in body
    check = SpotCheck.objects.get()
    assert check.indicators == ["sales", "fdi_received"]


def test_the_page_refuses_a_wrong_spot_check_in_chinese(world):
    client = world.client_for(world.office)
    response = client.post(url(world), {"held_on": "2025-05-20", "title": "去年的会",
                                        "units": [world.a.pk]})  # fmt: skip
    assert response.status_code == 200 and "必须在 2026 年" in response.content.decode()
    response = client.post(url(world), {"held_on": "2026-05-20", "title": "x"})
    assert "这个字段是必填项" in response.content.decode()
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize("who", ["liaison_a", "viewer", "judge"])
def test_only_the_office_posts_spot_checks_and_shortfalls(world, who):
    check = spot_check(world)
    client = world.client_for(getattr(world, who))
    assert client.post(url(world), {"title": "x"}).status_code == 403
    response = client.post(url(world, "checks:add_shortfall", check_pk=check.pk),
                           {"post": world.posts["A1"].pk, "text": "x", "measure": "y",
                            "due_on": "2026-07-01"})  # fmt: skip
    assert response.status_code == 403 and not Shortfall.objects.exists()


def test_the_office_adds_a_shortfall_and_its_remedy(world):
    check = spot_check(world)
    client = world.client_for(world.office)
    response = client.post(url(world, "checks:add_shortfall", check_pk=check.pk),
                           {"post": world.posts["A1"].pk, "text": "招商落地率低",
                            "measure": "建立周报制度", "owner": "",
                            "due_on": "2026-07-01"}, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "已录入问题短板和补短举措" in body and "招商落地率低" in body and "建立周报制度" in body
    assert Shortfall.objects.get().remedy.owner == world.posts["A1"]
    refused = client.post(url(world, "checks:add_shortfall", check_pk=check.pk),
                          {"post": world.posts["A1"].pk, "text": "x", "measure": "y",
                           "due_on": "2026-01-01"}, follow=True).content.decode()  # fmt: skip
    assert "未保存" in refused and "早于" in refused
    refused = client.post(url(world, "checks:add_shortfall", check_pk=check.pk),
                          {"post": world.posts["A1"].pk}, follow=True).content.decode()  # fmt: skip
    assert "未保存" in refused and "必填" in refused
    assert Shortfall.objects.count() == 1


def test_a_liaison_reports_progress_and_cannot_drop(world):
    remedy = shortfall(world).remedy
    client = world.client_for(world.liaison_a)
    target = url(world, "checks:update_remedy", remedy_pk=remedy.pk)
    body = client.post(target, {"status": "open", "note": "已制定方案"}, follow=True)
    assert "已更新补短举措" in body.content.decode() and "已制定方案" in body.content.decode()
    body = client.post(target, {"status": "dropped", "note": "不做了"}, follow=True)
    assert "未保存" in body.content.decode()
    body = client.post(target, {"status": "done", "note": ""}, follow=True)
    assert "未保存" in body.content.decode()
    response = client.post(target, {"status": "done", "note": "新开工3个项目", "next": "overdue"})
    assert response["Location"] == url(world, "checks:overdue")
    assert [u.status for u in RemedyUpdate.objects.order_by("id")] == ["open", "done"]


def test_the_office_drops_with_a_reason_and_viewers_cannot_update(world):
    remedy = shortfall(world).remedy
    target = url(world, "checks:update_remedy", remedy_pk=remedy.pk)
    for who in ("viewer", "judge"):
        response = world.client_for(getattr(world, who)).post(target, {"status": "open",
                                                                       "note": "x"})  # fmt: skip
        assert response.status_code == 403
    body = world.client_for(world.office).post(target, {"status": "dropped", "note": "岗位调整"},
                                               follow=True).content.decode()  # fmt: skip
    assert "已放弃" in body and "岗位调整" in body


def test_the_overdue_list_shows_open_remedies_past_due(world):
    check = spot_check(world)
    shortfall(world, check, text="逾期的短板", due_on=dt.date(2026, 6, 30))
    done = shortfall(world, check, post="A2", text="已完成的短板", due_on=dt.date(2026, 6, 30))
    update_remedy(done.remedy, status="done", note="已完成", actor=world.office)
    body = world.client_for(world.office).get(url(world, "checks:overdue")).content.decode()
    assert "逾期的短板" in body and "已完成的短板" not in body


@pytest.mark.parametrize("who", ["office", "viewer", "liaison_a", "judge"])
def test_the_home_page_links_to_the_spot_checks_for_readers(world, who):
    body = world.client_for(getattr(world, who)).get(reverse("home")).content.decode()
    assert (url(world) in body and "点调会与补短" in body) == (who != "judge")


def test_the_office_corrects_a_spot_check_through_its_page(world):
    check = spot_check(world)
    shortfall(world, check, text="甲镇的短板")
    client = world.client_for(world.office)
    correct = url(world, "checks:correct", check_pk=check.pk)
    assert "更正这次点调会" in client.get(url(world)).content.decode()
    form = client.get(correct).content.decode()
    assert "上半年点调会" in form and "逐镇点评" in form
    data = {"held_on": "2026-05-21", "title": "上半年点调会（更正）", "indicators": ["sales"],
            "units": [world.a.pk, world.b.pk], "minutes": "逐镇点评", "reason": ""}  # fmt: skip
    refused = client.post(correct, data)
    assert refused.status_code == 200 and SpotCheck.objects.count() == 1
    # Dropping a unit whose shortfalls were found is refused, nothing saved.
    dropped = client.post(correct, {**data, "units": [world.b.pk], "reason": "日期写错"})
    assert "必须" in dropped.content.decode() and SpotCheck.objects.count() == 1
    assert client.post(correct, {**data, "reason": "日期写错"}).status_code == 302
    new = SpotCheck.objects.get(supersedes=check)
    assert (new.held_on, new.title, new.reason) == (
        dt.date(2026, 5, 21),
        "上半年点调会（更正）",
        "日期写错",
    )
    page = client.get(url(world)).content.decode()
    assert "上半年点调会（更正）" in page and "甲镇的短板" in page
    # The old row is no longer the current one: its page sends back with a message.
    assert client.get(correct).status_code == 302


@pytest.mark.parametrize("who", ["viewer", "liaison_a", "judge"])
def test_only_the_office_corrects_a_spot_check(world, who):
    check = spot_check(world)
    client = world.client_for(getattr(world, who))
    assert client.get(url(world, "checks:correct", check_pk=check.pk)).status_code == 403
    assert client.post(url(world, "checks:correct", check_pk=check.pk), {}).status_code == 403
