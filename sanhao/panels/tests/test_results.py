"""The close's numbers are the engine's, and the year's ranking takes P from the sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.conftest import PASSWORD
from sanhao.lib.errors import DomainError
from sanhao.orgs import services as org_services
from sanhao.panels import services
from sanhao.panels.facts import panel_facts
from sanhao.panels.pages import session_results
from sanhao.panels.selectors import year_scheme
from sanhao.panels.tests.conftest import fill_sheet, make_session
from sanhao.rankings.models import ScoreLine
from sanhao.rankings.runs import compute_scores

TODAY = dt.date(2026, 12, 31)


@pytest.fixture
def six(world, judges):
    """Six judges: more than trim_above (5), so the highest and the lowest are dropped."""
    more = [create_account(username=f"judge-{n}", password=PASSWORD, role=AccountRole.JUDGE,
                           actor=world.office) for n in ("d", "e", "f")]  # fmt: skip
    return [*judges, *more]


# Town A's team: the first dimension 18…23 by judge; the others 20 each.
FIRSTS = ["18", "19", "20", "21", "22", "23"]


def scored(world, six):
    session = make_session(world, six, abstain={"judge-f": [world.b]})
    for judge, first in zip(six, FIRSTS, strict=True):
        cells = {"T-town-a": [first, "20", "20", "20"]}
        if judge.username != "judge-f":
            cells["T-town-b"] = ["15", "15", "15", first]  # totals differ from A's
        fill_sheet(session, judge, cells)
    services.close_session(session, actor=world.office)
    return session


def test_the_close_shows_r_the_trimmed_means_p_and_w(world, six):
    session = scored(world, six)
    shown = session_results(session)
    rows = {row.id: row for row in shown["result"].candidates}
    a, b = rows["T-town-a"], rows["T-town-b"]
    # A: six sheets, trimmed: (19 + 20 + 21 + 22) / 4 = 20.5, plus 3 × 20.
    assert (a.sheets, a.trimmed, a.p) == (6, True, Decimal("80.50"))
    assert a.dimensions[0] == ("引领力强", "20.50")
    # B: five sheets (judge-f abstains), not trimmed: 45 + (18+19+20+21+22)/5 = 65.
    assert (b.sheets, b.trimmed, b.p) == (5, False, Decimal("65.00"))
    assert [row.rank for row in shown["result"].candidates] == [1, 2]
    assert shown["result"].void == []
    agreement = shown["agreement"]
    assert agreement["judges"] == 5 and agreement["candidates"] == 2  # judge-f scored A only
    assert shown["w"] == "1.000"  # every complete sheet puts A first


def test_the_ranking_run_takes_p_from_the_sheets(world, six):
    from sanhao.rankings.tests.test_runs import fill

    session = scored(world, six)
    fill(world)
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)
    lines = {line.candidate: line.document for line in ScoreLine.objects.filter(run=run)}
    shown = {row.id: row for row in session_results(session)["result"].candidates}
    for candidate in ("T-town-a", "T-town-b"):
        assert Decimal(lines[candidate]["P"]) == shown[candidate].p
        assert lines[candidate]["breakdown"]["P"]["judges"] == shown[candidate].sheets
    assert Decimal(lines["T-town-a"]["P"]) == Decimal("80.50")
    assert Decimal(lines["L-town-a"]["P"]) == 0  # no leaders' session: no P yet


def test_a_void_sheet_is_set_aside_with_its_reason(world, judges):
    session = make_session(world, judges)
    fill_sheet(session, judges[0], {"T-town-a": ["20", "20", "20", "20"],
                                    "T-town-b": ["20", "20", "20", "20"]})  # fmt: skip
    fill_sheet(session, judges[1], {"T-town-a": ["24", "24", "24", "24"],
                                    "T-town-b": ["23", "23", "23", "23"]})  # fmt: skip
    fill_sheet(session, judges[2], {"T-town-a": ["20", "21", "22", "23"],
                                    "T-town-b": ["19", "19", "19", "19"]})  # fmt: skip
    services.close_session(session, actor=world.office)
    shown = session_results(session)
    void = dict(shown["result"].void)
    assert void == {"judge": "所有候选对象总分相同",
                    "评委b": "总分 ≥ 90 的候选对象超过 1 个"}  # fmt: skip
    rows = {row.id: row for row in shown["result"].candidates}
    assert (rows["T-town-a"].sheets, rows["T-town-a"].p) == (1, Decimal("86.00"))
    assert shown["agreement"] is None  # one valid sheet


def test_only_closed_sessions_and_counted_versions_go_to_the_engine(world, judges):
    session = make_session(world, judges)
    first = fill_sheet(session, judges[0])
    rejected_first = fill_sheet(session, judges[1])
    services.start_correction(session, actor=judges[0])
    services.save_draft(session, {"T-town-a": ["25", "25", "25", "25"]}, actor=judges[0])
    accepted = services.submit_sheet(session, reason="误录", actor=judges[0])
    services.decide_correction(accepted, accepted=True, actor=world.office)
    services.start_correction(session, actor=judges[1])
    services.save_draft(session, {"T-town-a": ["1", "1", "1", "1"]}, actor=judges[1])
    rejected = services.submit_sheet(session, reason="重评", actor=judges[1])
    services.decide_correction(rejected, accepted=False, note="无依据", actor=world.office)
    fill_sheet(session, judges[2], submit=False)  # a draft never counts
    scheme = year_scheme(session)
    assert panel_facts(world.campaign, scheme) == []  # still open
    services.close_session(session, actor=world.office)
    facts = panel_facts(world.campaign, scheme)
    assert [f["id"] for f in facts] == [f"panel-{session.pk}-{judges[0].pk}-v2",
                                        f"panel-{session.pk}-{judges[1].pk}-v1"]  # fmt: skip
    assert facts[0]["scores"]["T-town-a"] == ["25", "25", "25", "25"]
    assert facts[1]["scores"] == rejected_first.cells
    assert facts[0]["category"] == "team" and facts[0]["judge"] == "judge"
    assert first.cells != accepted.cells


def test_it_leaves_out_the_cells_of_someone_no_longer_a_candidate(world, judges):
    session = make_session(world, judges, category="deputy")
    fill_sheet(session, judges[0])
    services.close_session(session, actor=world.office)
    scheme = year_scheme(session)
    everyone = panel_facts(world.campaign, scheme)[0]["scores"]
    assert "D-town-a-A002" in everyone
    kept = panel_facts(world.campaign, scheme, {"D-town-b-B002", "D-town-b-B003"})
    assert set(kept[0]["scores"]) == {"D-town-b-B002", "D-town-b-B003"}
    org_services.end_post(world.posts["A1"], dt.date(2026, 6, 1), actor=world.office)
    from sanhao.rankings.tests.test_runs import fill

    fill(world)
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)  # no engine error
    assert not ScoreLine.objects.filter(run=run, candidate="D-town-a-A002").exists()


def test_it_reads_the_sheets_in_four_queries_whatever_their_number(world, judges):
    def closed(category, units):
        session = make_session(world, judges, category=category, units=units,
                               title=f"{category}{len(units or [])}")  # fmt: skip
        for judge in judges:
            fill_sheet(session, judge)
        services.close_session(session, actor=world.office)
        return session

    def count(scheme) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            facts = panel_facts(world.campaign, scheme)
        return len(context.captured_queries), len(facts)

    scheme = year_scheme(closed("deputy", [world.a]))
    small = count(scheme)
    closed("deputy", [world.b])
    closed("leader", None)
    closed("team", None)
    large = count(scheme)
    assert (small[0], large[0]) == (4, 4) and (small[1], large[1]) == (3, 12)


def test_it_refuses_sheets_that_no_longer_fit_the_scheme(world, judges):
    import dataclasses

    from sanhao.scoring import Category

    session = make_session(world, judges)
    fill_sheet(session, judges[0])
    services.close_session(session, actor=world.office)
    scheme = year_scheme(session)
    team = scheme.categories[Category.TEAM]
    ranked = dataclasses.replace(team, panel=dataclasses.replace(team.panel, mode="rank"))
    changed = dataclasses.replace(scheme, categories={**scheme.categories, Category.TEAM: ranked})
    with pytest.raises(DomainError, match="无法计入排名"):
        panel_facts(world.campaign, changed)
