"""Casting a ballot through the pages: a code votes once, a ballot names nobody."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.ballots import codes, services
from sanhao.ballots.facts import facts_for_year
from sanhao.ballots.models import Ballot, Receipt, VoterCode
from sanhao.ballots.tests.conftest import grades_for
from sanhao.ballots.tests.pages import found, ticket_of, vote


def test_it_takes_a_ballot_once_and_gives_a_receipt(leaders: Any) -> None:
    client = Client()
    grades = grades_for(leaders.session, ["优秀", "称职"])
    done = vote(client, leaders.codes[0], grades, leaders.session.pk)
    assert done.status_code == 200, done.content.decode()
    receipt = found(r'<code id="receipt">([^<]+)</code>', done.content.decode())
    assert Ballot.objects.count() == 1 and Receipt.objects.count() == 1
    ballot = Ballot.objects.get()
    assert ballot.grades == grades and ballot.group == "unit_cadres"
    again = vote(client, leaders.codes[0], grades, leaders.session.pk)
    assert again.status_code == 400 and "已经使用" in again.content.decode()
    assert Ballot.objects.count() == 1
    check = client.get(reverse("ballots:receipt"))
    answer = client.post(
        reverse("ballots:receipt"), {"ticket": ticket_of(check), "receipt": receipt}
    )
    assert "已收到" in answer.content.decode()
    services.close_session(leaders.session, actor=leaders.session.created_by)
    answer = client.post(
        reverse("ballots:receipt"), {"ticket": ticket_of(check), "receipt": receipt}
    )
    assert "已计入" in answer.content.decode()


def test_it_accepts_a_code_typed_in_lower_case_with_a_dash(leaders: Any) -> None:
    typed = codes.shown(leaders.codes[1]).lower()
    assert vote(Client(), typed, grades_for(leaders.session)).status_code == 200


def test_it_refuses_too_many_top_grades_and_keeps_the_code(leaders: Any) -> None:
    done = vote(Client(), leaders.codes[0], grades_for(leaders.session, ["优秀"]))
    assert done.status_code == 400 and "最多" in done.content.decode()
    assert not Ballot.objects.exists() and not VoterCode.objects.filter(used=True).exists()


def test_it_refuses_a_missing_grade_and_an_unknown_grade(leaders: Any) -> None:
    grades = grades_for(leaders.session)
    first = next(iter(grades))
    assert vote(Client(), leaders.codes[0], {**grades, first: ""}).status_code == 400
    assert vote(Client(), leaders.codes[0], {**grades, first: "优"}).status_code == 400
    assert vote(Client(), leaders.codes[0], {**grades, "L-other": "称职"}).status_code == 400
    assert not Ballot.objects.exists()


def test_it_refuses_a_code_of_another_session_on_a_session_page(world: Any, leaders: Any) -> None:
    from sanhao.ballots.tests.conftest import make_session

    other = make_session(world, category="deputy")
    done = vote(Client(), other.codes[0], grades_for(other.session), leaders.session.pk)
    assert done.status_code == 400 and "无效" in done.content.decode()


def test_no_ballot_or_code_reaches_the_audit_log(leaders: Any) -> None:
    grades = grades_for(leaders.session)
    vote(Client(), leaders.codes[0], grades)
    text = json.dumps(list(AuditEntry.objects.values_list("action", "data")), ensure_ascii=False)
    assert leaders.codes[0] not in text and codes.digest(leaders.codes[0]) not in text
    assert not any(candidate in text for candidate in grades)
    assert not AuditEntry.objects.filter(action__startswith="ballots.ballot").exists()


def test_the_ballot_row_holds_no_code_account_address_or_time() -> None:
    fields = {f.name for f in Ballot._meta.get_fields()}
    assert fields == {"id", "session", "group", "grades", "paper"}


@pytest.mark.parametrize("typed", ["", "x", "0" * 10, "ABCDEFGHJK" * 3])
def test_it_refuses_malformed_codes_with_a_message(leaders: Any, typed: str) -> None:
    client = Client()
    page = client.get(reverse("ballots:vote"))
    answer = client.post(reverse("ballots:vote"), {"ticket": ticket_of(page), "code": typed})
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()


def test_the_facts_hold_the_sealed_ballots(leaders: Any) -> None:
    for code in leaders.codes[:6]:
        vote(Client(), code, grades_for(leaders.session))
    assert facts_for_year(leaders.session.year)["ballots"] == []  # not yet closed
    services.close_session(leaders.session, actor=leaders.session.created_by)
    facts = facts_for_year(leaders.session.year)
    assert facts["sessions"] == [{"id": f"S{leaders.session.pk}", "invited": 10, "issued": 10,
                                  "returned": 6}]  # fmt: skip
    assert len(facts["ballots"]) == 6


def test_the_voting_pages_set_no_cookie(leaders: Any) -> None:
    client = Client()
    url = reverse("ballots:vote_session", args=[leaders.session.pk])
    page = client.get(url)
    opened = client.post(url, {"ticket": ticket_of(page), "code": leaders.codes[0]})
    data = {"ticket": ticket_of(opened), "code": leaders.codes[0]} | {
        f"g-{k}": v for k, v in grades_for(leaders.session).items()
    }
    done = client.post(reverse("ballots:submit"), data)
    assert done.status_code == 200
    for response in (page, opened, done, client.get(reverse("ballots:receipt"))):
        assert not response.cookies, response.cookies
        assert (
            response["Cache-Control"].startswith("max-age=0")
            or "no-store" in response["Cache-Control"]
        )
