"""Guessing codes: 10,000 random codes are refused, the room's voters still vote.

A meeting room's voters share one Wi-Fi address with whoever guesses from it. The guard
(`sanhao.ballots.guard`) counts wrong codes per ticket, address, session and in all;
once the address is over its budget a code is tested only with a ticket at least
`guarded_age` old that has tested no wrong code. Time is moved by replacing
`guard._now`, never by sleeping. Which codes were *tested* is counted by wrapping
`services.find_code`, the one place a code is looked up: a refused attempt tests nothing.

The guesses go to the views through `RequestFactory` (the middleware adds nothing the
guard reads, and 10,000 requests must stay fast); the real voters use the test `Client`
through every layer, from the same address (127.0.0.1 for both).
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from sanhao.ballots import codes as codes_mod
from sanhao.ballots import guard, services, views
from sanhao.ballots.models import Ballot
from sanhao.ballots.tests.conftest import Open, grades_for, make_session
from sanhao.ballots.tests.pages import found, ticket_of

pytestmark = pytest.mark.usefixtures("no_slips")
START = 1_800_000_000.0  # a window's first second (a multiple of 600)
GUESSES = 10_000
VOTERS = 40


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START + 1
        monkeypatch.setattr(guard, "_now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def tested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every code looked up, in order (normalised)."""
    seen: list[str] = []
    find = services.find_code

    def counting(text: str, **kwargs: Any) -> Any:
        seen.append(codes_mod.normalized(text))
        return find(text, **kwargs)

    monkeypatch.setattr(services, "find_code", counting)
    return seen


def random_code(rng: random.Random) -> str:
    return "".join(rng.choice(codes_mod.ALPHABET) for _ in range(codes_mod.CODE_LENGTH))


def page_url(session_pk: int | None) -> str:
    return (
        reverse("ballots:vote_session", args=[session_pk])
        if session_pk
        else reverse("ballots:vote")
    )


class Guesser:
    """Posts codes to the views straight, from the room's address."""

    def __init__(self, session_pk: int) -> None:
        self.factory = RequestFactory()
        self.session_pk = session_pk

    def code(self, code: str, ticket: str, *, session_page: bool = True) -> Any:
        pk = self.session_pk if session_page else None
        request = self.factory.post(page_url(pk), {"ticket": ticket, "code": code})
        return views.vote(request, pk) if pk else views.vote(request)

    def ballot(self, code: str, ticket: str, grades: dict[str, str]) -> Any:
        data = {"ticket": ticket, "code": code} | {f"g-{k}": v for k, v in grades.items()}
        return views.submit(self.factory.post(reverse("ballots:submit"), data))

    def page(self) -> str:
        """A fresh ticket from the page itself."""
        return ticket_of(views.vote(self.factory.get(page_url(self.session_pk)), self.session_pk))


def voter_votes(client: Client, clock: Clock, code: str, voting: Open, *, think: float = 4) -> Any:
    """A real voter: opens the page, types (or scans) for `think` seconds, posts the code,
    grades for as long, posts the ballot."""
    url = page_url(voting.session.pk)
    page = client.get(url)
    clock.advance(think)
    opened = client.post(url, {"ticket": ticket_of(page), "code": code})
    assert opened.status_code == 200, opened.content.decode()[:500]
    clock.advance(think)
    grades = grades_for(voting.session)
    data = {"ticket": ticket_of(opened), "code": code} | {f"g-{k}": v for k, v in grades.items()}
    return client.post(reverse("ballots:submit"), data)


def test_ten_thousand_random_codes_are_refused_while_the_room_votes(
    world: Any, clock: Clock, tested: list[str]
) -> None:
    rules = guard.limits()
    voting = make_session(world, invited=VOTERS + 5, codes=VOTERS + 5)
    real = set(voting.codes)
    rng = random.Random(2026)
    guesser = Guesser(voting.session.pk)
    grades = grades_for(voting.session)
    pool = [guesser.page() for _ in range(20)]  # tickets used again and again
    voters = iter(voting.codes[:VOTERS])
    room = Client()
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    for k in range(GUESSES):
        code = random_code(rng)
        kind = k % 10
        if kind < 4:  # a fresh page for each guess
            answer = guesser.code(code, guesser.page() if kind == 0 else guard.new_ticket())
        elif kind < 7:  # a page used again
            answer = guesser.code(code, pool[k % len(pool)], session_page=kind != 6)
        elif kind < 9:  # no page, or a made-up ticket
            answer = guesser.code(code, "" if kind == 7 else signing.dumps({"n": "x", "t": 1}))
        else:  # straight to the ballot's address
            answer = guesser.ballot(code, pool[k % len(pool)], grades)
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        if k % (GUESSES // VOTERS) == GUESSES // VOTERS // 2:
            done = voter_votes(room, clock, next(voters), voting)
            assert done.status_code == 200 and 'id="receipt"' in done.content.decode()
    elapsed = time.perf_counter() - started
    assert 200 not in statuses, statuses  # no guess opened a ballot
    assert set(statuses) <= {400, 403, 429}, statuses
    guesses = [c for c in tested if c not in real]
    # Tested: the address's budget before it is guarded, then at most one guess per page
    # of the pool that aged with the room's clock; never the fresh pages or no pages.
    print(f"\n{GUESSES} guesses in {elapsed:.1f} s: {statuses}, {len(guesses)} tested; "
          f"{Ballot.objects.count()} ballots from the room")  # fmt: skip
    assert len(guesses) <= rules["address_budget"] + len(pool)
    assert clock.now - START < rules["window"]  # all in one window
    assert Ballot.objects.filter(session=voting.session).count() == VOTERS
    # And after it: the address is still guarded, a voter who takes a few seconds votes.
    done = voter_votes(room, clock, voting.codes[VOTERS], voting)
    assert done.status_code == 200 and 'id="receipt"' in done.content.decode()


def test_a_guarded_address_is_refused_without_testing_the_code_until_the_page_is_old(
    world: Any, clock: Clock, tested: list[str], settings: Any
) -> None:
    settings.BALLOT_GUESS_LIMITS = {"address_budget": 3, "guarded_age": 3}
    voting = make_session(world)
    guesser = Guesser(voting.session.pk)
    rng = random.Random(1)
    for _ in range(3):
        assert guesser.code(random_code(rng), guesser.page()).status_code == 400
    assert len(tested) == 3
    # A real code, posted at once from a fresh page: refused with the wait, not tested.
    client = Client()
    url = page_url(voting.session.pk)
    page = client.get(url)
    code = codes_mod.shown(voting.codes[0])
    refused = client.post(url, {"ticket": ticket_of(page), "code": code})
    text = refused.content.decode()
    assert refused.status_code == 429 and "请等待" in text, text[:800]
    assert len(tested) == 3
    # The page comes back ready to be sent again: its ticket, the code, the wait for
    # vote.js, and no reload (a reload would fetch a new ticket and wait again).
    assert ticket_of(refused) == ticket_of(page)
    assert f'value="{code}"' in text and 'data-wait="' in text
    assert 'http-equiv="refresh"' not in text
    clock.advance(3)
    opened = client.post(url, {"ticket": ticket_of(refused), "code": code})
    assert opened.status_code == 200 and "ballot-form" in opened.content.decode()
    assert tested[-1] == voting.codes[0]
    # A page that tested a wrong code is refused while guarded, however old it is.
    ticket = guesser.page()
    clock.advance(10)
    assert guesser.code(random_code(rng), ticket).status_code == 400
    before = len(tested)
    answer = guesser.code(voting.codes[1], ticket)
    assert answer.status_code == 403 and len(tested) == before


def test_a_page_tests_a_few_wrong_codes_then_must_be_opened_again(
    world: Any, clock: Clock, tested: list[str], settings: Any
) -> None:
    settings.BALLOT_GUESS_LIMITS = {"ticket_failures": 3, "address_budget": 10**6}
    voting = make_session(world)
    guesser = Guesser(voting.session.pk)
    ticket = guesser.page()
    rng = random.Random(2)
    for _ in range(3):
        answer = guesser.code(random_code(rng), ticket)
        assert answer.status_code == 400 and ticket_of(answer) == ticket
    answer = guesser.code(voting.codes[0], ticket)  # the right code, too late for this page
    assert answer.status_code == 403 and "输错次数过多" in answer.content.decode()
    assert len(tested) == 3
    assert ticket_of(answer) != ticket  # a new page comes with the refusal
    assert guesser.code(voting.codes[0], ticket_of(answer)).status_code == 200
    # Mistyped codes (a dash, lower case) are not wrong: they are read as the same code.
    assert guesser.code(codes_mod.shown(voting.codes[1]).lower(), guesser.page()).status_code == 200


def test_expired_and_forged_tickets_are_refused_without_testing(
    world: Any, clock: Clock, tested: list[str], settings: Any
) -> None:
    voting = make_session(world)
    guesser = Guesser(voting.session.pk)
    code = voting.codes[0]
    ticket = guesser.page()
    clock.advance(guard.limits()["ticket_max_age"] + 1)
    expired = guesser.code(code, ticket)
    assert expired.status_code == 403 and "已过期" in expired.content.decode()
    forged = [
        "",
        "not-a-ticket",
        ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB"),  # signature changed
        signing.dumps({"n": "x", "t": int(clock.now)}, salt="another.salt"),
        signing.dumps({"n": "x", "t": int(clock.now)}, salt=guard.SALT, key="not-the-key"),
        signing.dumps({"t": int(clock.now)}, salt=guard.SALT),  # no nonce
        signing.dumps({"n": "x", "t": "soon"}, salt=guard.SALT),
        signing.dumps(["n", "t"], salt=guard.SALT),
    ]
    for value in forged:
        answer = guesser.code(code, value)
        assert answer.status_code == 403, value
        assert ticket_of(answer) not in forged  # the refusal brings a new page
    assert tested == []
    # A fresh page takes the code.
    assert guesser.code(code, guesser.page()).status_code == 200


def test_the_session_budget_guards_one_session_from_every_address(
    world: Any, clock: Clock, tested: list[str], settings: Any
) -> None:
    settings.BALLOT_GUESS_LIMITS = {"session_budget": 5, "address_budget": 10**6}
    one = make_session(world)
    other = make_session(world, category="deputy")
    guesser = Guesser(one.session.pk)
    rng = random.Random(3)
    for k in range(5):  # five addresses, one wrong code each
        request = guesser.factory.post(
            page_url(one.session.pk),
            {"ticket": guesser.page(), "code": random_code(rng)},
            REMOTE_ADDR=f"10.0.0.{k + 1}",
        )
        assert views.vote(request, one.session.pk).status_code == 400
    assert guesser.code(one.codes[0], guesser.page()).status_code == 429  # guarded
    assert len(tested) == 5
    other_guesser = Guesser(other.session.pk)
    assert other_guesser.code(other.codes[0], other_guesser.page()).status_code == 200
    clock.advance(3)
    assert guesser.code(one.codes[0], guesser.page()).status_code == 429  # a fresh page again
    ticket = guesser.page()
    clock.advance(3)
    assert guesser.code(one.codes[0], ticket).status_code == 200  # a page old enough


def test_the_global_budget_guards_every_session_and_address(
    world: Any, clock: Clock, tested: list[str], settings: Any
) -> None:
    settings.BALLOT_GUESS_LIMITS = {"global_budget": 4, "address_budget": 10**6,
                                    "session_budget": 10**6}  # fmt: skip
    one = make_session(world)
    other = make_session(world, category="deputy")
    guesser = Guesser(one.session.pk)
    rng = random.Random(4)
    for k in range(4):
        request = guesser.factory.post(
            reverse("ballots:vote"),
            {"ticket": guesser.page(), "code": random_code(rng)},
            REMOTE_ADDR=f"10.1.0.{k + 1}",
        )
        assert views.vote(request).status_code == 400
    for voting in (one, other):
        g = Guesser(voting.session.pk)
        request = g.factory.post(
            page_url(voting.session.pk),
            {"ticket": g.page(), "code": voting.codes[0]},
            REMOTE_ADDR="192.0.2.9",  # an address that guessed nothing
        )
        assert views.vote(request, voting.session.pk).status_code == 429
    assert len(tested) == 4


def test_the_counts_end_with_their_window(
    world: Any, clock: Clock, tested: list[str], settings: Any
) -> None:
    settings.BALLOT_GUESS_LIMITS = {"address_budget": 3, "window": 600}
    voting = make_session(world)
    guesser = Guesser(voting.session.pk)
    rng = random.Random(5)
    for _ in range(3):
        guesser.code(random_code(rng), guesser.page())
    assert guesser.code(random_code(rng), guesser.page()).status_code == 429
    keys = [guard._window_key(kind, name) for kind, name in
            [("addr", "127.0.0.1"), ("all", "-"), ("session", str(voting.session.pk))]]  # fmt: skip
    assert cache.get(keys[0]) == 3 and cache.get(keys[1]) == 3
    if hasattr(cache, "_expire_info"):  # LocMemCache: when the cache drops a key
        # Kept in the cache for two windows at most, then dropped by the cache itself.
        for k in keys[:2]:
            left = cache._expire_info[cache.make_and_validate_key(k)] - time.time()
            assert 0 < left <= 2 * 600
    clock.advance(600)  # the next window: the address counts from nothing again
    assert guesser.code(random_code(rng), guesser.page()).status_code == 400
    assert guesser.code(voting.codes[0], guesser.page()).status_code == 200
    assert len(tested) == 5


def test_a_right_code_on_the_ballot_page_after_the_seal_says_the_session_ended(
    world: Any, clock: Clock
) -> None:
    voting = make_session(world)
    guesser = Guesser(voting.session.pk)
    services.close_session(voting.session, actor=world.office)
    answer = guesser.code(voting.codes[0], guesser.page())
    assert answer.status_code == 400 and "已截止" in answer.content.decode()
    # Not a wrong code: the voter's page is not spent by it.
    assert cache.get(guard._window_key("addr", "127.0.0.1")) is None


def test_a_ballot_refused_when_its_code_was_used_meanwhile_is_a_page_not_an_error(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two devices with one code: the first posts a ballot the rules refuse; while it is
    checked the second's ballot is stored. The first is told the code was used."""
    voting = make_session(world)
    grades = grades_for(voting.session)
    cast = services.cast

    def other_device_first(text: str, given: dict[str, str], **kwargs: Any) -> str:
        cast(text, grades)
        raise services.BallotRefused("too many top grades")

    monkeypatch.setattr(services, "cast", other_device_first)
    guesser = Guesser(voting.session.pk)
    answer = guesser.ballot(voting.codes[0], guesser.page(), grades)
    assert answer.status_code == 400 and "已经使用" in answer.content.decode()
    assert found(r'role="alert">([^<]+)<', answer.content.decode())
