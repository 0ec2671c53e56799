"""The notice's and the decision's documents, read back: the right lists, the removed
nominee absent, the scores when the notice shows them, the snapshot's hash."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook

from sanhao.awards import documents, services
from sanhao.awards.models import (
    Award,
    Category,
    Decision,
    Deliberation,
    Item,
    Notice,
    Removal,
    Snapshot,
)
from sanhao.rankings.runs import compute_scores
from sanhao.rankings.tests.test_runs import TODAY, fill

HASH = "ab12cd34ef56" + "0" * 52


@pytest.fixture
def notice(world) -> Notice:
    """A notice of a deliberation on a snapshot of the world's run: town A's team agreed,
    town B's team removed by the meeting, B's leader agreed, A's deputy added, A's leader
    agreed and then removed from the notice."""
    fill(world)
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)
    now = timezone.now()
    snapshot = Snapshot.objects.create(year=world.campaign, run=run, content="{}",
                                       content_hash=HASH, chain_head="head", created=now,
                                       created_by=world.office)  # fmt: skip
    meeting = Deliberation.objects.create(snapshot=snapshot, held_on=dt.date(2026, 12, 20),
                                          attendees="部务会成员", agenda="研究三好名单",
                                          created=now, created_by=world.office)  # fmt: skip
    scores = {"K": "91.20", "P": "88.00", "M": "90.50", "B": "0.00", "D": "0.00", "S": "89.93"}
    rows: list[tuple[Any, ...]] = [
        (Category.TEAM, "T-town-a", world.a, None, "甲镇领导班子", "", "agree", ""),
        (Category.TEAM, "T-town-b", world.b, None, "乙街道领导班子", "", "remove", "一票否决"),
        (Category.LEADER, "L-B0", world.b, world.person("B0"), "乙书记", "党工委书记",
         "agree", ""),
        (Category.LEADER, "L-A0", world.a, world.person("A0"), "甲书记", "党委书记",
         "agree", ""),
        (Category.DEPUTY, "D-A2", world.a, world.person("A2"), "甲副镇长", "副镇长",
         "add", "并列"),
    ]  # fmt: skip
    items = {}
    for order, (category, candidate, unit, person, name, post, action, reason) in enumerate(rows):
        items[candidate] = Item.objects.create(
            deliberation=meeting, category=category, candidate=candidate, unit=unit,
            person=person, name=name, post=post, rank=order + 1, scores=scores,
            action=action, reason=reason, order=order,
        )  # fmt: skip
    notice = Notice.objects.create(
        deliberation=meeting, title="关于2026年度“三好”拟表彰对象的公示",
        issuer="中共泰州市姜堰区委组织部", body="经研究，拟表彰以下对象。\n现予公示。",
        how_to_object="公示期间，可通过来信、来电、来访反映情况。", contact="0523-88888888",
        starts=dt.date(2026, 12, 22), ends=dt.date(2026, 12, 28), working_days=5,
        show_scores=True, published=now, published_by=world.office,
    )  # fmt: skip
    Removal.objects.create(notice=notice, item=items["L-A0"], reason="经核实存在问题",
                           created=now, created_by=world.office)  # fmt: skip
    return notice


@pytest.fixture
def decision(world, notice) -> Decision:
    decision = Decision.objects.create(
        notice=notice, number="姜组发〔2026〕12号", title="关于表彰2026年度“三好”的决定",
        issuer="中共泰州市姜堰区委组织部", body="为树立鲜明导向，决定予以表彰。",
        issued_on=dt.date(2026, 12, 31), created=timezone.now(), created_by=world.office,
    )  # fmt: skip
    for item in services.nominees(notice):
        Award.objects.create(decision=decision, year=world.campaign, category=item.category,
                             candidate=item.candidate, unit=item.unit, person=item.person,
                             name=item.name, post=item.post, order=item.order)  # fmt: skip
    return decision


def _read(content: bytes):
    doc = Document(io.BytesIO(content))
    texts = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return texts, tables


def _label(category: str) -> str:
    with translation.override("zh-hans"):
        return str(Category(category).label)


def test_the_notice_lists_the_nominees_per_category_with_their_scores(notice):
    texts, tables = _read(documents.notice_docx(notice))
    assert len(tables) == 3
    team, leaders, deputies = tables
    assert team[0] == ["单位", "姓名", "职务", "K", "P", "M", "B", "D", "S"]
    assert team[1:] == [["甲镇", "甲镇领导班子", "", "91.20", "88.00", "90.50", "0.00",
                         "0.00", "89.93"]]  # fmt: skip
    assert [row[:3] for row in leaders[1:]] == [["乙街道", "乙书记", "党工委书记"]]
    assert [row[:3] for row in deputies[1:]] == [["甲镇", "甲副镇长", "副镇长"]]
    headings = [t for t in texts if t.startswith(("一、", "二、", "三、"))]
    assert headings[0].startswith("一、" + _label("team"))
    assert headings[2].startswith("三、" + _label("deputy"))
    body = "\n".join(texts) + str(tables)
    assert "乙街道领导班子" not in body  # removed by the meeting
    assert "甲书记" not in body  # removed during the notice


def test_the_notice_has_its_title_text_period_objection_contact_date_and_hash(notice):
    texts, _tables = _read(documents.notice_docx(notice))
    assert texts.count("中共泰州市姜堰区委组织部") == 2  # the header and the signature
    for line in ["关于2026年度“三好”拟表彰对象的公示", "经研究，拟表彰以下对象。", "现予公示。",
                 "公示期间，可通过来信、来电、来访反映情况。"]:  # fmt: skip
        assert line in texts
    assert "公示时间为2026年12月22日至2026年12月28日（5个工作日）。" in texts
    assert "联系方式：0523-88888888" in texts
    assert documents.chinese_date(timezone.localdate(notice.published)) in texts
    assert any(HASH in t for t in texts)


def test_the_notice_shows_no_scores_unless_it_says_so(notice):
    notice.show_scores = False  # not saved: the documents read what they are given
    _texts, tables = _read(documents.notice_docx(notice))
    assert tables[0][0] == ["单位", "姓名", "职务"] and "89.93" not in str(tables)


def test_the_decision_lists_the_awards_with_its_number_and_hash(decision):
    texts, tables = _read(documents.decision_docx(decision))
    assert "姜组发〔2026〕12号" in texts and "关于表彰2026年度“三好”的决定" in texts
    assert "为树立鲜明导向，决定予以表彰。" in texts and "2026年12月31日" in texts
    assert [t[1:] for t in tables] == [
        [["甲镇", "甲镇领导班子", ""]],
        [["乙街道", "乙书记", "党工委书记"]],
        [["甲镇", "甲副镇长", "副镇长"]],
    ]
    assert any(HASH in t for t in texts) and "甲书记" not in str(tables)


def test_the_decision_workbook_lists_the_awards_with_their_scores(decision):
    book = load_workbook(io.BytesIO(documents.decision_xlsx(decision)))
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "姜组发〔2026〕12号" in rows[0][0]
    assert rows[1] == ["类别", "单位", "姓名", "职务", "K", "P", "M", "B", "D", "S"]
    assert [r[1:4] for r in rows[2:]] == [["甲镇", "甲镇领导班子", None],
                                          ["乙街道", "乙书记", "党工委书记"],
                                          ["甲镇", "甲副镇长", "副镇长"]]  # fmt: skip
    assert rows[2][0] == _label("team") and rows[4][0] == _label("deputy")
    assert rows[3][-1] == pytest.approx(89.93)
