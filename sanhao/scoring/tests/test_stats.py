"""Statistics checked against established implementations, used here as oracles."""

import copy
import json
import math
from collections import defaultdict

import krippendorff
import numpy as np
import pytest
from scipy import stats as sps

from sanhao.scoring.report import to_json
from sanhao.scoring.stats import (
    _duplicate_ballots,
    chi2_sf,
    kendall_w,
    krippendorff_alpha_ordinal,
    statistics,
)
from sanhao.scoring.synthetic import generate
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN, make_scheme, run, scheme_data

SCHEME = make_scheme()


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 12, 29])
@pytest.mark.parametrize("x", [0.01, 0.5, 3.0, 11.1, 40.0])
def test_it_computes_the_chi_square_tail_like_scipy(x, df):
    assert chi2_sf(x, df) == pytest.approx(sps.chi2.sf(x, df), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_it_computes_kendalls_w_with_ties_like_friedmans_test(seed):
    rng = np.random.default_rng(seed)
    table = rng.integers(60, 70, size=(rng.integers(3, 9), rng.integers(3, 12))).astype(float)
    result = kendall_w(table)
    m, n = table.shape
    friedman = sps.friedmanchisquare(*table.T)  # candidates as treatments, judges as blocks
    assert result["W"] == pytest.approx(friedman.statistic / (m * (n - 1)), abs=1e-6)
    assert result["p"] == pytest.approx(friedman.pvalue, rel=1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_it_computes_krippendorffs_ordinal_alpha_like_the_reference_package(seed):
    rng = np.random.default_rng(seed)
    voters, candidates, grades = 12, 7, 4
    data = rng.integers(0, grades, size=(voters, candidates)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan  # "do not know"
    data[:, 0] = np.minimum(data[:, 0], 1)  # some agreement
    counts = np.stack([[(data[:, c] == g).sum() for g in range(grades)] for c in range(candidates)])
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal",
                                  value_domain=list(range(grades)))  # fmt: skip
    assert krippendorff_alpha_ordinal(counts) == pytest.approx(expected, abs=1e-9)


def _district(seed=3, **kwargs):
    doc = generate(SCHEME, [(f"u{i}", f"第{i}镇") for i in range(8)], seed=seed,
                   voters_per_unit=kwargs.pop("voters", 15), judges=7, deputies=(3, 5))  # fmt: skip
    return doc


def test_it_is_reproducible_with_a_seed():
    result = run(SCHEME, _district())
    a = statistics(result, seed=7, replicates=300, dirichlet_draws=300)
    b = statistics(result, seed=7, replicates=300, dirichlet_draws=300)
    assert a == b
    c = statistics(result, seed=8, replicates=300, dirichlet_draws=300)
    assert a["categories"]["deputy"]["bootstrap"] != c["categories"]["deputy"]["bootstrap"]


def test_it_gives_rank_intervals_and_quota_probabilities_that_make_sense():
    result = run(SCHEME, _district())
    out = statistics(result, seed=1, replicates=500, dirichlet_draws=500)["categories"]["team"]
    team = result.categories["team"]
    for at, i in enumerate(team.members):
        cid = result.facts.cand_ids[i]
        low, high = out["bootstrap"][cid]["rank_95"]
        assert 1 <= low <= high <= len(team.members)
        p = out["bootstrap"][cid]["p_inside_quota"]
        assert 0 <= p <= 1
        if not team.eligible[at]:
            assert p == 0 and out["dirichlet_inside_quota"][cid] == 0


def test_it_finds_the_weight_that_swaps_the_quota_boundary():
    result = run(SCHEME, _district())
    sens = statistics(result, replicates=50, dirichlet_draws=50)["categories"]["deputy"][
        "weight_sensitivity"
    ]
    swap = sens["swap"]
    deputy = result.categories["deputy"]
    ids = [result.facts.cand_ids[i] for i in deputy.members]
    a, b = ids.index(sens["last_awarded"]), ids.index(sens["first_left_out"])
    weights = {k: float(v) for k, v in SCHEME.categories["deputy"].weights.items()}
    rest = 1 - weights[swap["weight"]]
    new = {
        k: (swap["to"] if k == swap["weight"] else v * (1 - swap["to"]) / rest)
        for k, v in weights.items()
    }

    def s(i):
        return (new["K"] * deputy.k[i] + new["P"] * deputy.p[i] + new["M"] * deputy.m[i]
                + deputy.b[i] - deputy.d[i]) / 100  # fmt: skip

    assert s(a) == pytest.approx(s(b), abs=1e-4)


def test_it_flags_a_lenient_judge_a_straight_liner_and_own_unit_favouritism():
    doc = _district()
    team_sheets = [s for s in doc["panel"] if s["category"] == "team"]
    for cid in team_sheets[0]["scores"]:
        team_sheets[0]["scores"][cid] = [min(25, x + 3) for x in team_sheets[0]["scores"][cid]]
    for cid in team_sheets[1]["scores"]:
        team_sheets[1]["scores"][cid] = [18, 18, 18, 18]
    team_sheets[1]["scores"]["T-u5"] = [18, 18, 18, 19]  # not void: one total differs
    team_sheets[2]["judge_unit"] = "u3"
    team_sheets[2]["scores"]["T-u3"] = [25, 25, 25, 25]
    team_sheets[2]["scores"] = {
        k: ([10] * 4 if k != "T-u3" else v) for k, v in team_sheets[2]["scores"].items()
    }
    result = run(SCHEME, doc)
    flags = {f["judge"]: f["flags"] for f in statistics(result, replicates=20, dirichlet_draws=20)
             ["categories"]["team"]["judge_flags"]}  # fmt: skip
    assert "lenient" in flags["J1"]
    assert "straight_lining" in flags["J2"]
    assert "own_unit_bias" in flags["J3"]
    assert not flags["J5"]


def test_it_flags_identical_ballots_beyond_chance_and_not_random_ones():
    doc = _district(voters=30)
    clean = run(SCHEME, doc)
    assert statistics(clean, replicates=10, dirichlet_draws=10)["duplicate_ballots"] == []
    stuffed = copy.deepcopy(doc)
    template = next(b for b in stuffed["ballots"] if b["session"] == "M-u2")
    for k in range(8):
        stuffed["ballots"].append({**copy.deepcopy(template), "id": f"X{k}"})
    stuffed["sessions"][2]["invited"] = stuffed["sessions"][2]["issued"] = 40
    found = statistics(run(SCHEME, stuffed), replicates=10, dirichlet_draws=10)["duplicate_ballots"]
    assert len(found) == 1 and found[0]["session"] == "M-u2" and found[0]["size"] == 9


def _duplicates_cell_by_cell(result):
    """The duplicate-ballot test as first written, cell by cell in Python: the reference."""
    facts = result.facts
    order = np.lexsort((facts.bcell_cand, facts.bcell_ballot))
    keys = defaultdict(list)
    for b, c, g in zip(facts.bcell_ballot[order], facts.bcell_cand[order],
                       facts.bcell_grade[order], strict=True):  # fmt: skip
        keys[int(b)].append((int(c), int(g)))
    found = []
    by_session = defaultdict(lambda: defaultdict(list))
    for b, cells in keys.items():
        by_session[int(facts.ballot_session[b])][tuple(cells)].append(b)
    for session, clusters in by_session.items():
        n = sum(len(v) for v in clusters.values())
        if n < 3:
            continue
        freq = defaultdict(lambda: defaultdict(int))
        for pattern, members in clusters.items():
            for c, g in pattern:
                freq[c][g] += len(members)
        p_same = 1.0
        for grades in freq.values():
            total = sum(grades.values())
            p_same *= sum((k / total) ** 2 for k in grades.values())
        expected = n * (n - 1) / 2 * p_same
        observed = sum(len(v) * (len(v) - 1) / 2 for v in clusters.values())
        if observed <= max(5 * expected, expected + 3 * math.sqrt(expected) + 1):
            continue
        for members in clusters.values():
            if len(members) >= 3:
                found.append({"session": facts.session_ids[session], "size": len(members),
                              "ballots": [facts.ballot_ids[b] for b in sorted(members)][:50],
                              "expected_identical_pairs": round(expected, 4),
                              "observed_identical_pairs": observed})  # fmt: skip
    return sorted(found, key=lambda x: (-x["size"], x["session"]))


@pytest.mark.parametrize("seed", range(12))
def test_duplicate_ballots_are_found_as_cell_by_cell(seed):
    """Ballots copied, cells shuffled, abstentions and grades of every kind: the same
    clusters, sizes and expected pairs (floats to the bit) as the reference."""
    rng = np.random.default_rng(seed)
    doc = _district(voters=int(rng.integers(3, 25)))
    ballots = doc["ballots"]
    for _ in range(int(rng.integers(0, 6))):
        template = ballots[int(rng.integers(len(ballots)))]
        for k in range(int(rng.integers(2, 7))):
            ballots.append({**copy.deepcopy(template), "id": f"X{len(ballots)}-{k}"})
    for session in doc["sessions"]:
        session["invited"] = session["issued"] = 10_000
    rng.shuffle(ballots)
    result = run(SCHEME, doc)
    facts = result.facts
    shuffled = np.random.default_rng(seed).permutation(len(facts.bcell_ballot))
    facts.bcell_ballot, facts.bcell_cand, facts.bcell_grade = (
        facts.bcell_ballot[shuffled],
        facts.bcell_cand[shuffled],
        facts.bcell_grade[shuffled],
    )
    expected = _duplicates_cell_by_cell(result)
    got = _duplicate_ballots(result)
    assert json.dumps(got) == json.dumps(expected)
    if seed == 0:
        assert got  # some seeds plant clusters the test finds


@pytest.mark.parametrize(
    ("name", "scheme", "facts", "kwargs"),
    [
        ("example1", EXAMPLE_SCHEME, GOLDEN / "example1-facts.json", {"seed": 5}),
        ("district", None, None, {"replicates": 300, "dirichlet_draws": 300}),
    ],
)
def test_the_seeded_statistics_stay_the_same_to_the_byte(name, scheme, facts, kwargs):
    """A run's stored statistics must recompute to the same bytes (rankings.runs): these
    documents were written before the replicates were drawn as arrays (issue 11)."""
    if facts is None:
        result = run(SCHEME, _district())
    else:
        result = run(make_scheme(scheme_data(scheme)),
                     json.loads(facts.read_text(encoding="utf-8")))  # fmt: skip
    expected = (GOLDEN / f"{name}-statistics.json").read_text(encoding="utf-8")
    assert to_json(statistics(result, **kwargs)) == expected
