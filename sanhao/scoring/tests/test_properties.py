"""Invariants that hold for any district (hypothesis)."""

import copy
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanhao.scoring.synthetic import generate
from sanhao.scoring.tests.helpers import make_scheme, rows, run

SCHEME = make_scheme()
CATEGORIES = ("team", "leader", "deputy")
districts = st.builds(
    lambda seed, n, voters, judges: generate(
        SCHEME, [(f"u{i}", f"第{i}镇") for i in range(n)], seed=seed, voters_per_unit=voters,
        judges=judges, deputies=(2, 6),
    ),
    seed=st.integers(0, 10_000), n=st.integers(2, 8), voters=st.integers(2, 12),
    judges=st.sampled_from([3, 6, 7]),
)  # fmt: skip
fast = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def by_id(result):
    return {cid: row for c in CATEGORIES for cid, row in rows(result, c).items()}


@fast
@given(districts, st.randoms(use_true_random=False))
def test_it_does_not_depend_on_the_order_of_the_candidates(doc, rnd):
    shuffled = copy.deepcopy(doc)
    for key in ("units", "candidates", "indicators", "records", "panel", "ballots"):
        rnd.shuffle(shuffled[key])
    for ballot in shuffled["ballots"]:
        items = list(ballot["grades"].items())
        rnd.shuffle(items)
        ballot["grades"] = dict(items)
    assert by_id(run(SCHEME, doc)) == by_id(run(SCHEME, shuffled))


@fast
@given(districts, st.integers(0, 1000))
def test_it_never_lowers_the_rank_of_a_candidate_whose_bonus_rises(doc, pick):
    before = by_id(run(SCHEME, doc))
    cid = sorted(before)[pick % len(before)]
    raised = copy.deepcopy(doc)
    raised["bonuses"].append({"candidate": cid, "item": "guidance", "count": 1})
    after = by_id(run(SCHEME, raised))
    assert after[cid]["S"] >= before[cid]["S"]
    assert after[cid]["rank"] <= before[cid]["rank"]


@fast
@given(districts, st.integers(0, 1000))
def test_it_never_lowers_the_rank_of_a_team_whose_actual_rises(doc, pick):
    before = rows(run(SCHEME, doc), "team")
    cid = sorted(before)[pick % len(before)]
    unit = before[cid]["unit"]
    raised = copy.deepcopy(doc)
    for row in raised["indicators"]:
        if row["unit"] == unit:
            row["actual"] = round(row["actual"] * 1.1 + 1, 2)
    after = rows(run(SCHEME, raised), "team")
    assert after[cid]["K"] >= before[cid]["K"]
    assert after[cid]["rank"] <= before[cid]["rank"]


@fast
@given(districts, st.integers(0, 1000))
def test_it_never_awards_a_vetoed_candidate_and_keeps_quotas_and_caps(doc, pick):
    rng = random.Random(pick)
    for cand in rng.sample(doc["candidates"], k=min(5, len(doc["candidates"]))):
        doc["vetoes"].append({"candidate": cand["id"], "kind": "admonition"})
    result = run(SCHEME, doc)
    vetoed = {v.get("candidate") for v in doc["vetoes"]}
    vetoed_units = {v.get("unit") for v in doc["vetoes"]}
    for category in CATEGORIES:
        spec = SCHEME.categories[category]
        got = rows(result, category)
        awarded = [cid for cid, row in got.items() if row["awarded"]]
        assert len(awarded) <= spec.quota
        assert not vetoed & set(awarded)
        if category in ("team", "leader"):
            assert not any(got[c]["unit"] in vetoed_units for c in awarded)
        assert all(got[c]["eligible"] for c in awarded)
        if spec.unit_cap:
            per_unit = [got[c]["unit"] for c in awarded]
            assert max((per_unit.count(u) for u in per_unit), default=0) <= spec.unit_cap
        # awards follow the ranking: above the last awardee, all others are ineligible, over
        # their unit's cap, or tied across it (their unit's seats then go to deliberation)
        if awarded:
            worst = max(got[c]["rank"] for c in awarded)
            for row in got.values():
                if row["rank"] < worst:
                    assert row["status"] in ("awarded", "ineligible", "skipped_unit_cap",
                                             "unit_cap_tie"), row  # fmt: skip
        # every candidate has exactly one status, and the seats add up
        summary = result.summary(category)
        assert len(awarded) + summary.seats_for_deliberation + summary.empty_seats == spec.quota
