"""A scheme that has the teams ranked rather than scored: the sheet takes one rank per
candidate, the review names a rank given twice, and the close's P is the engine's Borda
score 100 × (N − mean rank) / (N − 1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from sanhao.lib.errors import DomainError
from sanhao.panels import services
from sanhao.panels.pages import session_results
from sanhao.panels.selectors import candidates_of
from sanhao.panels.tests.conftest import make_session
from sanhao.rankings.services import current_scheme, save_scheme_version
from sanhao.rankings.tests.conftest import changed


@pytest.fixture
def ranked(world, judges):
    source = current_scheme(world.campaign).source
    text = changed(source, 'mode = "score"        # or "rank"', 'mode = "rank"')
    save_scheme_version(world.campaign, text, reason="好班子改为排序", actor=world.office)
    return make_session(world, judges, mode="rank")


def test_a_judge_ranks_each_candidate_once(world, judges, ranked):
    judge = judges[0]
    services.save_draft(ranked, {"T-town-a": ["1"], "T-town-b": ["1"]}, actor=judge)
    with pytest.raises(DomainError, match="重复的名次：1"):
        services.submit_sheet(ranked, actor=judge)
    client = world.client_for(judge)
    page = client.get(reverse("panels:sheet", kwargs={"session_pk": ranked.pk})).content.decode()
    assert 'min="1" max="2" step="1" inputmode="numeric"' in page and "名次" in page
    review = client.get(reverse("panels:review", kwargs={"session_pk": ranked.pk})).content.decode()
    assert "每个名次只能给一次" in review and "提交评分表" not in review
    with pytest.raises(DomainError, match="1 到 2 的整数"):
        services.save_draft(ranked, {"T-town-b": ["3"]}, actor=judge)


def test_the_close_gives_the_engines_borda_score(world, judges, ranked):
    for judge, first in zip(judges, ("T-town-a", "T-town-a", "T-town-b"), strict=True):
        other = "T-town-b" if first == "T-town-a" else "T-town-a"
        services.save_draft(ranked, {first: ["1"], other: ["2"]}, actor=judge)
        services.submit_sheet(ranked, actor=judge)
    services.close_session(ranked, actor=world.office)
    shown = session_results(ranked)
    rows = {row.id: row for row in shown["result"].candidates}
    # N = 2 teams: A's mean rank 4/3 → 100 × (2 − 4/3) / 1 = 66.67; B's 5/3 → 33.33.
    assert rows["T-town-a"].p == Decimal("66.67") and rows["T-town-a"].mean_rank == "1.33"
    assert rows["T-town-b"].p == Decimal("33.33")
    assert shown["agreement"]["judges"] == 3
    body = (
        world.client_for(world.office)
        .get(reverse("panels:results", kwargs={"session_pk": ranked.pk}))
        .content.decode()
    )
    assert "66.67" in body and "平均名次" in body


def test_the_office_changes_units_and_judges_while_in_preparation(world, judges):
    session = make_session(world, judges, category="deputy", opened=False)
    services.reorder_candidates(session, list(reversed([c.candidate for c in
                                                        candidates_of(session)])),
                                actor=world.office)  # fmt: skip
    services.update_session(session, title=session.title, opens=session.opens,
                            closes=session.closes, units=[world.b],
                            judges=[(judges[1], [world.b])], actor=world.office)  # fmt: skip
    assert [c.candidate for c in candidates_of(session)] == ["D-town-b-B003", "D-town-b-B002"]
    client = world.client_for(world.office)
    page = client.get(reverse("panels:edit", kwargs={"session_pk": session.pk})).content.decode()
    assert f'name="judge_{judges[1].pk}" id="id_judge_{judges[1].pk}" checked' in page
    services.update_session(session, title=session.title, opens=session.opens,
                            closes=session.closes, units=[world.a, world.b],
                            judges=[(judges[1], [world.b])], actor=world.office)  # fmt: skip
    assert [c.candidate for c in candidates_of(session)] == [
        "D-town-b-B003", "D-town-b-B002", "D-town-a-A002", "D-town-a-A003"]  # fmt: skip
