"""The ballots reach the engine: a ranking's M comes from the ballots cast here."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.test import Client

from sanhao.ballots import services
from sanhao.ballots.tests.conftest import make_session
from sanhao.ballots.tests.test_voting import vote
from sanhao.rankings.bridge import build_facts
from sanhao.rankings.runs import compute_scores
from sanhao.rankings.tests.test_runs import TODAY, fill, scheme


def result(run: Any) -> dict[str, Any]:
    return dict(json.loads(run.result))


def m_of(run: Any, candidate: str) -> Decimal | None:
    for cat in result(run)["categories"].values():
        for c in cat["candidates"]:
            if c["id"] == candidate:
                return None if c["M"] is None else Decimal(c["M"])
    raise KeyError(candidate)


def test_the_ranking_takes_m_from_the_sealed_ballots(world: Any) -> None:
    fill(world)
    opened = make_session(world, invited=4, codes=4)
    leaders = [c.candidate for c in opened.session.candidates.all()]
    assert leaders == ["L-town-a", "L-town-b"]
    # 4 voters of 镇街干部: A gets 优秀 twice and 称职 twice (90), B 称职 three times, 不了解 once (80).
    for code, (a, b) in zip(opened.codes, [("优秀", "称职"), ("优秀", "称职"), ("称职", "称职"),
                                          ("称职", "不了解")], strict=True):  # fmt: skip
        assert vote(Client(), code, {"L-town-a": a, "L-town-b": b}).status_code == 200
    before = build_facts(world.campaign, scheme(world), today=TODAY)
    assert before["ballots"] == [] and before["sessions"] == []  # not sealed yet
    services.close_session(opened.session, actor=world.office)
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)
    assert m_of(run, "L-town-a") == Decimal("90.00")
    assert m_of(run, "L-town-b") == Decimal("80.00")


def test_a_session_below_quorum_gives_no_m(world: Any) -> None:
    fill(world)
    opened = make_session(world, invited=10, codes=10)
    for code in opened.codes[:4]:  # 4 of 10 invited: below half
        vote(Client(), code, {"L-town-a": "优秀", "L-town-b": "称职"})
    services.close_session(opened.session, actor=world.office)
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)
    assert m_of(run, "L-town-a") in (None, Decimal("0.00"))
