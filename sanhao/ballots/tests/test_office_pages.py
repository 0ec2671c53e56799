"""The office's ballot pages, used as a clerk would: prepare, issue, print, open, close."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.ballots.models import BallotSession, CodeBatch, VoterCode
from sanhao.ballots.tests.conftest import grades_for, make_session
from sanhao.ballots.tests.test_voting import vote


def url(name: str, session: BallotSession, **extra: Any) -> str:
    return reverse(
        f"ballots:{name}", kwargs={"pk": session.year_id, "session_pk": session.pk, **extra}
    )


def test_the_office_prepares_issues_prints_opens_and_closes_a_session(world: Any) -> None:
    office = world.client_for(world.office)
    created = office.post(reverse("ballots:create", args=[world.campaign.pk]), {
        "title": "甲镇班子测评", "scope": "unit", "unit": world.a.pk, "category": "",
        "opens_at": "2026-01-01T08:00", "closes_at": "2030-01-01T12:00",
        "invited_unit_cadres": "5", "invited_public": "0",
    })  # fmt: skip
    session = BallotSession.objects.get()
    assert created.status_code == 302 and created["Location"] == url("detail", session)
    assert [c.candidate for c in session.candidates.all()] == [
        "T-town-a", "L-town-a", f"D-town-a-{world.person('A1').code}",
        f"D-town-a-{world.person('A2').code}",
    ]  # fmt: skip
    group = session.groups.get()
    office.post(url("issue", session), {"group": group.pk, "count": "5"})
    assert VoterCode.objects.filter(session=session).count() == 5
    batch = CodeBatch.objects.get()
    slips = office.post(url("slips", session, batch_pk=batch.pk))
    assert slips.status_code == 200 and slips.content.startswith(b"%PDF")
    assert slips["Content-Disposition"].startswith("attachment")
    again = office.post(url("slips", session, batch_pk=batch.pk), follow=True)
    assert "已下载过" in again.content.decode()
    page = office.get(url("detail", session)).content.decode()
    assert "已于" in page and "下载投票码条" not in page
    office.post(url("open", session))
    session.refresh_from_db()
    assert session.is_open and session.rules["limits"] == {"deputy": 1, "leader": 1, "team": 1}
    turnout = office.get(url("turnout", session), HTTP_HX_REQUEST="true").content.decode()
    assert "已投票 0 人" in turnout and 'hx-trigger="every 5s"' in turnout
    office.post(url("close", session))
    session.refresh_from_db()
    from sanhao.audit.services import chain_head

    seq, head = chain_head()
    assert session.is_finished and session.chain_head == f"{seq}:{head}"  # the seal is in it
    page = office.get(url("detail", session)).content.decode()
    assert "统计结果" in page and "本场测评无效" in page  # nobody voted
    actions = list(AuditEntry.objects.filter(object_id=str(session.pk), action__startswith="ballots.").order_by("seq")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["ballots.session.created", "ballots.codes.issued", "ballots.codes.downloaded",
                       "ballots.session.opened", "ballots.session.closed", "ballots.session.sealed"]  # fmt: skip


def test_the_create_form_says_what_is_wrong(world: Any) -> None:
    office = world.client_for(world.office)
    answer = office.post(reverse("ballots:create", args=[world.campaign.pk]), {
        "title": "", "scope": "unit", "unit": "", "opens_at": "2026-13-01T08:00",
        "closes_at": "x",
    })  # fmt: skip
    body = answer.content.decode()
    assert answer.status_code == 200 and not BallotSession.objects.exists()
    assert "请选择镇街" in body and "这个字段是必填项" in body
    answer = office.post(reverse("ballots:create", args=[world.campaign.pk]), {
        "title": "测评", "scope": "category", "category": "leader",
        "opens_at": "2026-06-01T12:00", "closes_at": "2026-06-01T08:00",
    })  # fmt: skip
    body = answer.content.decode()
    assert "结束时间应晚于开始时间" in body
    assert not BallotSession.objects.exists()


def test_codes_cannot_be_issued_by_the_thousands_or_to_a_sealed_session(world: Any) -> None:
    opened = make_session(world, codes=2)
    office = world.client_for(world.office)
    answer = office.post(url("issue", opened.session), {"group": opened.group.pk, "count": "5000"},
                         follow=True)  # fmt: skip
    assert VoterCode.objects.count() == 2 and "2000" in answer.content.decode()
    office.post(url("close", opened.session))
    answer = office.post(url("issue", opened.session), {"group": opened.group.pk, "count": "1"},
                         follow=True)  # fmt: skip
    assert "不能再生成投票码" in answer.content.decode() and VoterCode.objects.count() == 2


def test_the_count_shows_grades_only_after_closing(world: Any) -> None:
    opened = make_session(world, invited=2, codes=2)
    for code in opened.codes:
        vote(Client(), code, grades_for(opened.session, ["优秀", "称职"]))
    office = world.client_for(world.office)
    before = office.get(url("detail", opened.session)).content.decode()
    turnout = office.get(url("turnout", opened.session)).content.decode()
    for body in (before, turnout):
        assert "优秀 2" not in body and "统计结果" not in body
    assert "已投票 2 人" in turnout
    office.post(url("close", opened.session))
    after = office.get(url("detail", opened.session)).content.decode()
    assert re.search(r"优秀 2 · 称职 0", after) and "投票人数达到要求" in after


def test_the_detail_page_reads_the_same_number_of_queries_for_few_and_many_ballots(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    opened = make_session(world, invited=30, codes=30)
    for code in opened.codes[:2]:
        vote(Client(), code, grades_for(opened.session))
    office = world.client_for(world.office)
    office.post(url("close", opened.session))
    with django_assert_max_num_queries(20):
        office.get(url("detail", opened.session))
    other = make_session(world, invited=30, codes=30, category="deputy")
    for code in other.codes:
        vote(Client(), code, grades_for(other.session))
    office.post(url("close", other.session))
    with django_assert_max_num_queries(20):
        office.get(url("detail", other.session))


def test_lost_slips_are_withdrawn_and_their_codes_vote_no_more(world: Any) -> None:
    opened = make_session(world, invited=4, codes=4)
    assert vote(Client(), opened.codes[0], grades_for(opened.session)).status_code == 200
    office = world.client_for(world.office)
    batch = CodeBatch.objects.get()
    refused = office.post(url("withdraw", opened.session, batch_pk=batch.pk), {"reason": " "},
                          follow=True)  # fmt: skip
    assert "请说明作废投票码的原因" in refused.content.decode()
    done = office.post(url("withdraw", opened.session, batch_pk=batch.pk),
                       {"reason": "投票码条遗失"}, follow=True)  # fmt: skip
    assert "3 个未使用的投票码已作废" in done.content.decode()
    opened.group.refresh_from_db()
    assert opened.group.issued == 1  # the used one stays issued
    answer = vote(Client(), opened.codes[1], grades_for(opened.session))
    assert answer.status_code == 400 and "无效" in answer.content.decode()
