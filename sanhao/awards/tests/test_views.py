"""The office's pages from the score run to the awards, walked through the client."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.utils import timezone
from docx import Document

from sanhao.awards import services
from sanhao.awards.models import Award, CareerEvent, Deliberation, Notice, Snapshot
from sanhao.awards.tests.world import evaluated_run
from sanhao.campaigns.models import Phase


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def office(world: Any, monkeypatch: Any) -> Any:
    evaluated_run(world, monkeypatch)
    return world.client_for(world.office)


def test_the_office_goes_from_the_scores_to_the_awards(world, office, monkeypatch):
    pk = world.campaign.pk
    clock = {"today": dt.date(2025, 9, 27)}  # the office works in September 2025
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: clock["today"])
    page = office.get(f"/years/{pk}/awards/")
    assert "冻结这次计分结果" in page.content.decode()
    response = office.post(f"/years/{pk}/awards/freeze/", follow=True)
    snapshot = Snapshot.objects.get()
    assert snapshot.content_hash in response.content.decode()
    assert "乙街道班子" in response.content.decode()

    url = f"/years/{pk}/awards/snapshots/{snapshot.pk}/deliberate/"
    assert "递补" in office.get(url).content.decode()
    meeting = {"held_on": "2025-09-20", "attendees": "部务会成员", "agenda": "研究拟表彰名单"}
    refused = office.post(url, {**meeting, "action-T-town-b": "remove"}, follow=True)
    assert "理由" in _messages(refused) and not Deliberation.objects.exists()
    # The form keeps what was entered.
    assert 'value="remove" selected' in refused.content.decode()
    done = office.post(url, {**meeting, "action-T-town-b": "remove", "reason-T-town-b": "核查发现问题",
                             "action-T-town-a": "add", "reason-T-town-a": "递补"}, follow=True)  # fmt: skip
    deliberation = Deliberation.objects.get()
    assert "核查发现问题" in done.content.decode()
    world.campaign.refresh_from_db()
    assert world.campaign.phase == Phase.DELIBERATION

    url = f"/years/{pk}/awards/deliberations/{deliberation.pk}/publish/"
    assert "公示" in office.get(url).content.decode()
    form = {"title": "关于拟表彰对象的公示", "issuer": "中共测试区委组织部", "body": "现予公示。",
            "how_to_object": "来电来信", "contact": "0523-1234567", "first_day": "2025-09-28",
            "show_scores": "on"}  # fmt: skip
    too_early = office.post(url, {**form, "first_day": "2025-09-26"}, follow=True)
    assert "不能早于今天" in _messages(too_early) and not Notice.objects.exists()
    published = office.post(url, form, follow=True)
    notice = Notice.objects.get()
    assert (notice.starts, notice.ends) == (dt.date(2025, 9, 28), dt.date(2025, 10, 10))
    text = published.content.decode()
    assert "甲镇班子" in text and "乙街道班子" not in text.split("拟表彰对象")[-1]

    docx = office.get(f"/years/{pk}/awards/notices/{notice.pk}/notice.docx")
    assert docx.status_code == 200
    body = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert notice.title in body

    url = f"/years/{pk}/awards/notices/{notice.pk}/decide/"
    assert office.get(url).status_code == 200
    decision_form = {"number": "测组发〔2025〕9号", "title": "关于表彰的决定", "issuer": "中共测试区委组织部",
                     "body": "决定予以表彰。", "issued_on": "2025-10-15"}  # fmt: skip
    early = office.post(url, decision_form, follow=True)
    assert "期满后" in _messages(early) and not Award.objects.exists()
    clock["today"] = dt.date(2025, 10, 15)
    future = office.post(url, {**decision_form, "issued_on": "2025-10-16"}, follow=True)
    assert "晚于今天" in _messages(future) and not Award.objects.exists()
    decided = office.post(url, decision_form, follow=True)
    assert "测组发〔2025〕9号" in decided.content.decode()
    awards = list(Award.objects.order_by("order"))
    assert [a.candidate for a in awards] == ["T-town-a", "L-town-b", "D-town-b-B002"]
    assert awards[1].person == world.person("B0")
    decision = awards[0].decision
    xlsx = office.get(f"/years/{pk}/awards/decisions/{decision.pk}/decision.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row)
    assert "甲镇" in cells and "乙书记" in cells
    word = office.get(f"/years/{pk}/awards/decisions/{decision.pk}/decision.docx")
    assert "测组发〔2025〕9号" in "\n".join(
        p.text for p in Document(io.BytesIO(word.content)).paragraphs
    )
    assert office.get(f"/years/{pk}/awards/decisions/{decision.pk}/decision.pdf").status_code == 404

    clock["today"] = dt.date(2026, 6, 1)
    url = f"/years/{pk}/awards/awards/{awards[1].pk}/events/"
    office.post(url, {"kind": "promoted", "happened_on": "2026-03-01", "new_post": "区委常委"})
    office.post(url, {"kind": "selected", "happened_on": "2024-03-01"})  # before the decision
    assert CareerEvent.objects.count() == 1
    page = office.get(f"/years/{pk}/awards/incentives/").content.decode()
    assert "区委常委" in page
    counts = services.incentive_counts(world.district.pk)
    assert counts[0]["awards"] == 3 and counts[0]["promoted"] == 1 and counts[0]["selected"] == 0
    event = CareerEvent.objects.get()
    office.post(f"/years/{pk}/awards/events/{event.pk}/withdraw/", {"reason": "录入错误"})
    assert services.incentive_counts(world.district.pk)[0]["promoted"] == 0


def test_a_viewer_reads_but_cannot_freeze(world, monkeypatch):
    evaluated_run(world, monkeypatch)
    viewer = world.client_for(world.viewer)
    assert viewer.get(f"/years/{world.campaign.pk}/awards/").status_code == 200
    assert viewer.post(f"/years/{world.campaign.pk}/awards/freeze/").status_code == 403
    assert not Snapshot.objects.exists()


def test_another_years_objects_are_not_found(world, office):
    from sanhao.campaigns.services import open_campaign_year

    office.post(f"/years/{world.campaign.pk}/awards/freeze/")
    snapshot = Snapshot.objects.get()
    other = open_campaign_year(world.district, 2027, actor=world.office)
    assert office.get(f"/years/{other.pk}/awards/snapshots/{snapshot.pk}/").status_code == 404
    assert (
        office.get(f"/years/{world.campaign.pk}/awards/snapshots/{snapshot.pk}/").status_code == 200
    )
