"""Paper ballots: forms with serials, keyed twice by two clerks, counted once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.audit.models import AuditEntry
from sanhao.ballots import paper, services
from sanhao.ballots.facts import facts_for_year
from sanhao.ballots.models import (
    Ballot,
    CountedSerial,
    PaperEntry,
    PaperRun,
    VoterGroup,
)
from sanhao.ballots.tests.conftest import grades_for, make_session
from sanhao.conftest import PASSWORD
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError


@pytest.fixture
def clerks(world: Any) -> list[Any]:
    """Three office accounts: two clerks and the one who decides."""
    return [world.office] + [
        create_account(username=f"clerk{k}", password=PASSWORD, role=AccountRole.OFFICE,
                       full_name=f"录入员{k}", actor=world.office)
        for k in (2, 3)
    ]  # fmt: skip


@pytest.fixture
def forms(leaders: Any) -> PaperRun:
    """Five forms of the leaders' session (serials 1 to 5)."""
    return paper.issue_forms(leaders.session, leaders.group, 5, actor=leaders.session.created_by)


def key(session: Any, serial: str, round: int, clerk: Any, grades: dict[str, str] | None = None,
        **kwargs: Any) -> paper.Keyed:  # fmt: skip
    return paper.key_entry(session, serial=serial, round=round, clerk=clerk,
                           grades=grades if grades is not None else grades_for(session),
                           spoiled=kwargs.pop("spoiled", False), **kwargs)  # fmt: skip


# Forms and serials ---------------------------------------------------------------------------


def test_it_allocates_serials_consecutively_per_session_and_counts_the_forms(
    world: Any, leaders: Any
) -> None:
    office = world.office
    first = paper.issue_forms(leaders.session, leaders.group, 3, actor=office)
    second = paper.issue_forms(leaders.session, leaders.group, 4, actor=office)
    other = make_session(world, category="deputy")
    third = paper.issue_forms(other.session, other.group, 2, actor=office)
    assert (first.first, first.last, second.first, second.last) == (1, 3, 4, 7)
    assert (third.first, third.last) == (1, 2)  # each session has its own serials
    serials = paper.run_serials(first) + paper.run_serials(second)
    pk = leaders.session.pk
    assert serials == [f"S{pk}-{n:04d}" for n in range(1, 8)]
    assert VoterGroup.objects.get(pk=leaders.group.pk).paper_issued == 7
    entries = AuditEntry.objects.filter(action="ballots.paper.issued").order_by("pk")
    assert [e.data["count"] for e in entries] == [3, 4, 2]
    assert entries[1].data["first"] == f"S{pk}-0004" and entries[1].data["last"] == f"S{pk}-0007"


def test_it_refuses_forms_after_the_seal_and_out_of_bounds(world: Any, leaders: Any) -> None:
    with pytest.raises(DomainError, match="1 到 1000"):
        paper.issue_forms(leaders.session, leaders.group, 0, actor=world.office)
    with pytest.raises(DomainError):
        paper.issue_forms(leaders.session, leaders.group, 1, actor=world.judge)
    other = make_session(world, category="deputy")
    with pytest.raises(DomainError, match="不属于本场"):
        paper.issue_forms(leaders.session, other.group, 1, actor=world.office)
    services.close_session(leaders.session, actor=world.office)
    with pytest.raises(DomainError, match="已结束"):
        paper.issue_forms(leaders.session, leaders.group, 1, actor=world.office)
    assert not PaperRun.objects.exists()


def test_it_parses_serials_as_typed_or_scanned(leaders: Any, forms: PaperRun) -> None:
    session = leaders.session
    pk = session.pk
    for typed in (f"S{pk}-0003", f"s{pk} 3", f"S{pk}－0003", "3", " 0003 "):
        assert paper.parse_serial(session, typed) == 3, typed
    with pytest.raises(DomainError, match="另一场"):
        paper.parse_serial(session, f"S{pk + 1}-0003")
    with pytest.raises(DomainError, match="不是编号"):
        paper.parse_serial(session, "ABC")


# Keying and counting -------------------------------------------------------------------------


def test_two_keyings_that_agree_make_one_paper_ballot(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    serial = f"S{session.pk}-0002"
    grades = grades_for(session, ["优秀", "称职"])
    one = key(session, serial, 1, clerks[0], grades)
    assert one.state == "waiting" and not Ballot.objects.exists()
    two = key(session, "2", 2, clerks[1], grades)
    assert two.state == "counted" and two.serial == serial and two.group_name == "镇街干部"
    ballot = Ballot.objects.get()
    assert ballot.paper and ballot.grades == grades and ballot.group == "unit_cadres"
    assert CountedSerial.objects.get().serial == 2
    assert services.turnout(session)[0]["returned"] == 1
    with pytest.raises(DomainError, match="已计票"):
        key(session, serial, 1, clerks[2], grades)
    text = str(list(AuditEntry.objects.filter(action__startswith="ballots.paper")
                    .values_list("action", "data")))  # fmt: skip
    assert "ballots.paper.keyed" in text and "ballots.paper.counted" in text
    assert "优秀" not in text and "称职" not in text  # serials and counts, never grades


def test_it_refuses_the_same_clerk_keying_both_rounds(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    key(session, "1", 1, clerks[0])
    with pytest.raises(DomainError, match="另一个工作账号") as refused:
        key(session, "1", 2, clerks[0])
    assert f"S{session.pk}-0001" in str(refused.value)
    assert PaperEntry.objects.count() == 1 and not Ballot.objects.exists()


def test_a_round_is_keyed_once_and_corrected_only_by_its_clerk_with_a_reason(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    right = grades_for(session, ["称职"])
    wrong = grades_for(session, ["基本称职"])
    key(session, "1", 1, clerks[0], wrong)
    with pytest.raises(DomainError, match="已由其他账号录入"):
        key(session, "1", 1, clerks[1], right)
    with pytest.raises(DomainError, match="更正原因"):
        key(session, "1", 1, clerks[0], right)
    assert key(session, "1", 2, clerks[1], right).state == "disagree"
    fixed = key(session, "1", 1, clerks[0], right, reason="看错行")
    assert fixed.state == "counted" and fixed.entry.supersedes is not None
    assert Ballot.objects.get().grades == right
    assert PaperEntry.objects.count() == 3  # the mistaken entry is kept, superseded
    with pytest.raises(AppendOnlyError):
        PaperEntry.objects.filter(serial=1).update(reason="")
    with pytest.raises(IntegrityError), transaction.atomic():  # a round's first entry is one
        PaperEntry.objects.create(session=session, run=forms, serial=1, round=2,
                                  clerk=clerks[2], group="unit_cadres", grades=right)  # fmt: skip


def test_disagreeing_keyings_are_listed_not_counted_until_decided(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    cands = list(session.candidates.all())
    a = {cands[0].candidate: "称职", cands[1].candidate: "称职"}
    b = {cands[0].candidate: "不称职", cands[1].candidate: "称职"}
    key(session, "4", 1, clerks[0], a)
    keyed = key(session, "4", 2, clerks[1], b)
    assert keyed.state == "disagree" and keyed.differences == [cands[0].name]
    assert not Ballot.objects.exists()
    report = paper.reconciliation(session)
    assert [s.serial for s in report.disagreements] == [f"S{session.pk}-0004"]
    assert report.disagreements[0].differences == [(cands[0].name, "称职", "不称职")]
    assert report.not_keyed == 4
    for clerk in clerks[:2]:
        with pytest.raises(DomainError, match="另一个工作账号"):
            key(session, "4", 3, clerk, b)
    decided = key(session, "4", 3, clerks[2], b)
    assert decided.state == "counted"
    assert Ballot.objects.get().grades == b and CountedSerial.objects.get().decided
    assert paper.reconciliation(session).disagreements == []


def test_a_deciding_entry_needs_two_keyings_that_disagree(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    key(session, "5", 1, clerks[0])
    with pytest.raises(DomainError, match="尚未录入两遍"):
        key(session, "5", 3, clerks[2])
    assert paper.reconciliation(session).singles[0].missing_round == 2


def test_it_refuses_unknown_serials_and_those_of_another_session(
    world: Any, leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    with pytest.raises(DomainError, match=f"S{session.pk}-0006 从未发放") as refused:
        key(session, "6", 1, clerks[0])
    assert f"S{session.pk}-0001 至 S{session.pk}-0005" in str(refused.value)
    other = make_session(world, category="deputy")
    paper.issue_forms(other.session, other.group, 9, actor=world.office)
    with pytest.raises(DomainError, match="另一场"):
        key(session, f"S{other.session.pk}-0007", 1, clerks[0])
    assert not PaperEntry.objects.exists()


def test_it_names_the_serial_and_the_candidate_of_a_missing_grade(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    grades = grades_for(session)
    first = session.candidates.first()
    grades.pop(first.candidate)
    with pytest.raises(DomainError) as refused:
        key(session, "3", 1, clerks[0], grades)
    assert f"S{session.pk}-0003" in str(refused.value) and first.name in str(refused.value)
    assert not PaperEntry.objects.exists()


def test_a_serial_is_counted_once_whatever_calls_the_counting(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    key(session, "1", 1, clerks[0])
    key(session, "1", 2, clerks[1])
    assert paper.count_serial(session, 1, actor=clerks[0]) is False
    assert paper.count_serial(session, 1, actor=clerks[2]) is False
    assert Ballot.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        CountedSerial.objects.create(session=session, serial=1, group="unit_cadres")


def test_a_paper_ballot_may_break_the_top_grade_rule(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    tops = grades_for(session, ["优秀"])  # both leaders, where at most one may be 优秀
    key(session, "1", 1, clerks[0], tops)
    keyed = key(session, "1", 2, clerks[1], tops)
    assert keyed.state == "counted" and keyed.over_limit == ["好班长"]
    assert Ballot.objects.get().grades == tops


def test_a_spoiled_sheet_counts_as_returned_with_no_grades(
    leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    key(session, "2", 1, clerks[0], {"junk": "x"}, spoiled=True)  # grades are not kept
    assert key(session, "2", 2, clerks[1], {}, spoiled=True).state == "counted"
    ballot = Ballot.objects.get()
    assert ballot.paper and ballot.grades == {}
    assert CountedSerial.objects.get().spoiled
    key(session, "3", 1, clerks[0], spoiled=True)
    disagree = key(session, "3", 2, clerks[1])
    assert disagree.state == "disagree" and disagree.differences == ["整张表"]


def test_paper_is_keyed_while_open_or_sealed_never_before(world: Any, clerks: list[Any]) -> None:
    draft = make_session(world, open_it=False)
    paper.issue_forms(draft.session, draft.group, 2, actor=world.office)
    with pytest.raises(DomainError, match="尚未开始"):
        key(draft.session, "1", 1, clerks[0])
    services.open_session(draft.session, actor=world.office)
    key(draft.session, "1", 1, clerks[0])
    services.close_session(draft.session, actor=world.office)
    key(draft.session, "1", 2, clerks[1])  # after the seal: a plain insert
    key(draft.session, "2", 1, clerks[0])
    key(draft.session, "2", 2, clerks[1])
    facts = facts_for_year(world.campaign)
    assert facts["sessions"][0]["returned"] == 2 and len(facts["ballots"]) == 2


def test_the_seal_keeps_the_paper_ballots_counted_before_it(
    world: Any, leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    grades = grades_for(session, ["优秀", "称职"])
    key(session, "1", 1, clerks[0], grades)
    key(session, "1", 2, clerks[1], grades)
    services.close_session(session, actor=world.office)
    ballot = Ballot.objects.get()
    assert ballot.paper and ballot.grades == grades


# The void rules with paper and online ballots ------------------------------------------------


def test_returned_never_exceeds_issued_with_codes_and_forms(world: Any, clerks: list[Any]) -> None:
    """4 invited: 2 vote online, 2 on paper (one of them spoiled). Issued is the codes
    plus the forms; returned every ballot; the session is valid for the engine."""
    from sanhao.ballots.tests.test_voting import vote
    from sanhao.scoring import score
    from sanhao.scoring.synthetic import generate

    opened = make_session(world, invited=4, codes=2)
    session = opened.session
    paper.issue_forms(session, opened.group, 2, actor=world.office)
    for code in opened.codes:
        assert vote(Client(), code, grades_for(session, ["优秀", "称职"])).status_code == 200
    key(session, "1", 1, clerks[0], grades_for(session, ["称职"]))
    key(session, "1", 2, clerks[1], grades_for(session, ["称职"]))
    key(session, "2", 1, clerks[0], spoiled=True)
    key(session, "2", 2, clerks[1], spoiled=True)
    with pytest.raises(DomainError, match="从未发放"):  # no third paper ballot
        key(session, "3", 1, clerks[0])
    services.close_session(session, actor=world.office)
    facts = facts_for_year(world.campaign)
    assert facts["sessions"] == [{"id": f"S{session.pk}", "invited": 4, "issued": 4,
                                  "returned": 4}]  # fmt: skip
    assert sorted(len(b["grades"]) for b in facts["ballots"]) == [0, 2, 2, 2]
    scheme = services.scheme_of(world.campaign)
    doc = json.loads(json.dumps(generate(scheme, [("town-a", "甲镇"), ("town-b", "乙街道")])))
    doc["sessions"], doc["ballots"] = facts["sessions"], facts["ballots"]
    result = score(scheme, doc)
    assert result.summary("leader").void_sessions == {}
    with_spoiled = {c.id: c.m for c in result.candidates("leader")}
    # The spoiled sheet counts as returned and changes no grade: without it, M is the same.
    doc["ballots"] = [b for b in facts["ballots"] if b["grades"]]
    assert {c.id: c.m for c in score(scheme, doc).candidates("leader")} == with_spoiled
    # More returned than issued voids the session, paper or not.
    doc["sessions"] = [facts["sessions"][0] | {"issued": 3}]
    doc["ballots"] = facts["ballots"]
    assert f"S{session.pk}" in score(scheme, doc).summary("leader").void_sessions


# Pages ---------------------------------------------------------------------------------------


def test_the_office_prints_forms_from_the_session_page_and_reprints_them(
    world: Any, leaders: Any
) -> None:
    client = world.client_for(world.office)
    args = [leaders.session.year_id, leaders.session.pk]
    page = client.get(reverse("ballots:detail", args=args)).content.decode()
    assert "纸质测评表" in page and reverse("ballots:paper_print", args=args) in page
    response = client.post(reverse("ballots:paper_print", args=args),
                           {"group": leaders.group.pk, "count": 3})  # fmt: skip
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    run = PaperRun.objects.get()
    assert f"forms-S{leaders.session.pk}-0001-0003.pdf" in response["Content-Disposition"]
    again = client.post(reverse("ballots:paper_reprint", args=[*args, run.pk]))
    assert again.content == response.content  # the same serials, the same sheets
    assert VoterGroup.objects.get(pk=leaders.group.pk).paper_issued == 3
    assert AuditEntry.objects.filter(action="ballots.paper.reprinted").count() == 1
    refused = client.post(reverse("ballots:paper_print", args=args),
                          {"group": leaders.group.pk, "count": 0}, follow=True)  # fmt: skip
    assert "张数" in refused.content.decode() and PaperRun.objects.count() == 1


def test_the_entry_page_keys_a_sheet_and_says_what_went_wrong(
    world: Any, leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    url = reverse("ballots:paper_entry", args=[session.year_id, session.pk])
    grades = {f"g-{k}": v for k, v in grades_for(session).items()}
    first = world.client_for(clerks[0])
    page = first.get(url).content.decode()
    assert 'name="serial"' in page and "paper_entry.js" in page and "1 优秀" in page
    done = first.post(url, {"serial": f"S{session.pk}-0001", "round": 1, **grades})
    assert done.status_code == 302 and done["Location"].endswith("?round=1")
    again = first.post(url, {"serial": "1", "round": 2, **grades})
    body = again.content.decode()
    assert again.status_code == 200 and "另一个工作账号" in body
    assert f'value="S{session.pk}-0001"' not in body or "1" in body  # the page keeps the input
    unknown = first.post(url, {"serial": "77", "round": 1, **grades}).content.decode()
    assert f"S{session.pk}-0077 从未发放" in unknown
    second = world.client_for(clerks[1])
    counted = second.post(url, {"serial": "1", "round": 2, **grades}, follow=True)
    assert "已计票" in counted.content.decode()
    assert Ballot.objects.filter(paper=True).count() == 1


def test_the_reconciliation_page_lists_disagreements_in_fixed_queries(
    world: Any, leaders: Any, clerks: list[Any]
) -> None:
    session = leaders.session
    paper.issue_forms(session, leaders.group, 40, actor=world.office)
    cands = list(session.candidates.all())
    a = {cands[0].candidate: "称职", cands[1].candidate: "称职"}
    b = {cands[0].candidate: "不称职", cands[1].candidate: "称职"}

    def disagree(numbers: range) -> None:
        for n in numbers:
            key(session, str(n), 1, clerks[0], a)
            key(session, str(n), 2, clerks[1], b)
            key(session, str(n + 20), 1, clerks[0], a)

    url = reverse("ballots:paper_reconcile", args=[session.year_id, session.pk])
    client = world.client_for(world.viewer)
    disagree(range(1, 3))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    disagree(range(3, 15))
    with CaptureQueriesContext(connection) as large:
        body = client.get(url).content.decode()
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert f"S{session.pk}-0014" in body and cands[0].name in body and "不称职" in body
    assert f"S{session.pk}-0034" in body  # keyed once
    assert "paper/entry" not in body  # the viewer gets no entry links


def test_the_session_page_counts_paper_ballots_per_group(
    world: Any, leaders: Any, forms: PaperRun, clerks: list[Any]
) -> None:
    session = leaders.session
    key(session, "1", 1, clerks[0])
    key(session, "1", 2, clerks[1])
    key(session, "2", 1, clerks[0])
    summary = paper.summary(session)
    assert summary["rows"][0]["counted"] == 1 and summary["rows"][0]["pending"] == 1
    page = world.client_for(world.viewer).get(
        reverse("ballots:detail", args=[session.year_id, session.pk])
    )
    assert page.status_code == 200 and "纸质票" in page.content.decode()


@pytest.mark.parametrize("role", ["liaison_a", "judge"])
@pytest.mark.parametrize("name", ["paper_entry", "paper_reconcile"])
def test_it_refuses_liaisons_and_judges(world: Any, leaders: Any, role: str, name: str) -> None:
    url = reverse(f"ballots:{name}", args=[leaders.session.year_id, leaders.session.pk])
    assert world.client_for(getattr(world, role)).get(url).status_code == 403


def test_it_refuses_the_viewer_the_office_pages(world: Any, leaders: Any, forms: PaperRun) -> None:
    args = [leaders.session.year_id, leaders.session.pk]
    viewer = world.client_for(world.viewer)
    assert viewer.get(reverse("ballots:paper_entry", args=args)).status_code == 403
    assert viewer.post(reverse("ballots:paper_print", args=args),
                       {"group": leaders.group.pk, "count": 1}).status_code == 403  # fmt: skip
    assert viewer.post(reverse("ballots:paper_reprint", args=[*args, forms.pk])).status_code == 403
    assert PaperRun.objects.count() == 1


def test_it_hides_another_session_s_run(world: Any, leaders: Any, forms: PaperRun) -> None:
    other = make_session(world, category="deputy")
    url = reverse("ballots:paper_reprint", args=[other.session.year_id, other.session.pk, forms.pk])
    assert world.client_for(world.office).post(url).status_code == 404
