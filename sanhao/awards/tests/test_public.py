"""The public notice: read without an account, in the style of a government notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanhao.awards.models import Removal
from sanhao.awards.tests.factories import make_notice


@pytest.fixture
def notice(world):
    return make_notice(world, starts=dt.date(2025, 9, 28), ends=dt.date(2099, 10, 10))


def page(notice) -> str:
    response = Client().get(reverse("notice:detail", args=[notice.pk]))
    assert response.status_code == 200
    assert not response.cookies
    return response.content.decode()


def test_it_shows_the_notice_without_an_account(world, notice):
    body = page(notice)
    assert notice.title in body and notice.issuer in body and "拟表彰对象予以公示" in body
    assert "公示时间：2025年9月28日至2099年10月10日（5个工作日）" in body
    assert "公示中" in body and "公示将于2099年10月10日结束" in body
    assert "甲镇" in body and "乙街道" in body
    assert "甲书记" in body and "党委书记" in body and "甲镇长" in body
    assert notice.contact in body and "实名方式反映" in body
    snapshot = notice.deliberation.snapshot
    assert f'title="{snapshot.content_hash}">{snapshot.content_hash[:12]}</code>' in body
    assert reverse("notice:object", args=[notice.pk]) in body
    assert "no-store" in Client().get(reverse("notice:detail", args=[notice.pk]))["Cache-Control"]


def test_a_notice_across_the_national_day_week_says_its_period_and_that_it_has_ended(world):
    notice = make_notice(world, starts=dt.date(2025, 9, 28), ends=dt.date(2025, 10, 10))
    body = page(notice)
    assert "公示时间：2025年9月28日至2025年10月10日（5个工作日）" in body
    assert "公示已结束" in body and "公示将于" not in body


def test_it_lists_the_published_notices_newest_first(world, notice):
    newer = make_notice(world)
    response = Client().get(reverse("notice:index"))
    assert response.status_code == 200
    body = response.content.decode()
    first = body.index(reverse("notice:detail", args=[newer.pk]))
    assert first < body.index(reverse("notice:detail", args=[notice.pk]))
    assert notice.title in body and "公示中" in body


def test_it_hides_the_scores_unless_the_office_chose_to_show_them(world, notice):
    body = page(notice)
    assert "手工复算" not in body and "<th>K</th>" not in body and "<th>S</th>" not in body


def test_it_shows_the_scores_and_how_to_recompute_s_when_the_office_chose_to(world):
    notice = make_notice(world, show_scores=True)
    body = page(notice)
    item = notice.deliberation.items.get(candidate="T-town-a")
    assert "<th>K</th>" in body and "<th>S</th>" in body
    assert f"<td>{item.scores['K']}</td>" in body and f"<td>{item.scores['S']}</td>" in body
    assert "S = 0.4×K + 0.3×P + 0.3×M + B − D" in body


def test_a_removed_nominee_no_longer_appears(world, notice):
    item = notice.deliberation.items.get(candidate="L-town-a")
    Removal.objects.create(notice=notice, item=item, reason="经核实不符合条件",
                           created=timezone.now(), created_by=world.office)  # fmt: skip
    body = page(notice)
    assert "甲书记" not in body and "经核实不符合条件" not in body
    assert "乙书记" in body


@pytest.mark.parametrize(
    ("starts", "ends", "shown", "form"),
    [
        (1, 5, "未开始", False),
        (-5, 0, "公示中", True),
        (-9, -1, "公示已结束", False),
    ],
)
def test_it_says_whether_the_notice_has_started_is_open_or_has_ended(world, starts, ends, shown,
                                                                     form):  # fmt: skip
    today = timezone.localdate()
    notice = make_notice(world, starts=today + dt.timedelta(days=starts),
                         ends=today + dt.timedelta(days=ends))  # fmt: skip
    body = page(notice)
    assert shown in body
    assert (reverse("notice:object", args=[notice.pk]) in body) is form


def test_it_never_shows_an_objectors_name_or_phone(world, notice):
    from sanhao.awards.objections import submit_objection

    submit_objection(notice, item=None, real_name="王实名", phone="13912345678",
                     content="反映问题", today=timezone.localdate())  # fmt: skip
    body = page(notice)
    assert "王实名" not in body and "13912345678" not in body and "反映问题" not in body


def test_an_unknown_notice_is_not_found(db):
    assert Client().get(reverse("notice:detail", args=[999])).status_code == 404
    assert Client().get(reverse("notice:object", args=[999])).status_code == 404


def test_it_has_a_print_style(world, notice):
    body = page(notice)
    assert "sanhao/notice.css" in body
