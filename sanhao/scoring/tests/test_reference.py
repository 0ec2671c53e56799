"""The vectorised engine agrees with the plain-loop reference on random districts."""

import random

import pytest

from sanhao.scoring.synthetic import generate
from sanhao.scoring.tests.helpers import make_scheme, rows, run
from sanhao.scoring.tests.reference import reference

VARIANTS = [
    {},
    {"indicators__0__direction": "lower", "indicators__1__growth_method": "rank"},
    {"categories__deputy__panel__trim_above": 2, "categories__team__threshold": "85"},
    {"indicators__2__alpha": 1, "categories__leader__quota": 1, "deduction__max": 3},
    # many seats, one per unit: ties across the unit cap (§7)
    {
        "categories__deputy__quota": 9,
        "categories__deputy__unit_cap": 2,
        "bonus__items__0__points": "0.125",
        "deduction__items__2__points": "0.333",
    },
]


@pytest.mark.parametrize("seed", range(20))
def test_it_matches_the_reference_computation(seed):
    rng = random.Random(seed)
    scheme = make_scheme(**VARIANTS[seed % len(VARIANTS)])
    units = [(f"u{i}", f"第{i}镇") for i in range(rng.randint(3, 9))]
    doc = generate(scheme, units, seed=seed, voters_per_unit=rng.randint(3, 15),
                   judges=rng.choice([3, 5, 6, 7]), deputies=(2, 5))  # fmt: skip
    if seed % 2:
        doc["indicators"][0]["prior"] = 0  # a growth left undefined
        doc["sessions"][0]["invited"] = 10_000  # a session below quorum
    if seed % len(VARIANTS) == 4:
        _tie_deputies_within_units(doc)
    result = run(scheme, doc)
    expected = reference(scheme, doc)
    for category in ("team", "leader", "deputy"):
        got = rows(result, category)
        assert got.keys() == expected[category].keys()
        for cid, want in expected[category].items():
            row = got[cid]
            for key in ("K", "P", "M", "B", "D", "S", "rank", "awarded"):
                assert row[key] == want[key], (category, cid, key, row[key], want[key])
            assert row["boundary"] == want["boundary"], (category, cid)
            assert (row["status"] == "unit_cap_tie") == want["unit_cap_tie"], (category, cid)
            assert row["reasons"] == want["reasons"], (category, cid)


def _tie_deputies_within_units(doc):
    """A unit's third and later deputies scored, graded and counted like its second: ties."""
    deputies: dict[str, list[str]] = {}
    for cand in doc["candidates"]:
        if cand["category"] == "deputy":
            deputies.setdefault(cand["unit"], []).append(cand["id"])
            cand["months_in_post"] = 12
            cand.pop("oversees", None)
    like = {cid: ids[1] for ids in deputies.values() for cid in ids[1:]}
    for sheet in doc["panel"]:
        for cid in sheet["scores"]:
            if cid in like:
                sheet["scores"][cid] = sheet["scores"][like[cid]]
    for ballot in doc["ballots"]:
        for cid in ballot["grades"]:
            if cid in like and like[cid] in ballot["grades"]:
                ballot["grades"][cid] = ballot["grades"][like[cid]]
    for key in ("bonuses", "deductions", "vetoes"):
        doc[key] = [e for e in doc[key] if e.get("candidate") not in like]
