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
]


@pytest.mark.parametrize("seed", range(16))
def test_it_matches_the_reference_computation(seed):
    rng = random.Random(seed)
    scheme = make_scheme(**VARIANTS[seed % len(VARIANTS)])
    units = [(f"u{i}", f"第{i}镇") for i in range(rng.randint(3, 9))]
    doc = generate(scheme, units, seed=seed, voters_per_unit=rng.randint(3, 15),
                   judges=rng.choice([3, 5, 6, 7]), deputies=(2, 5))  # fmt: skip
    if seed % 2:
        doc["indicators"][0]["prior"] = 0  # a growth left undefined
        doc["sessions"][0]["invited"] = 10_000  # a session below quorum
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
            assert row["eligible"] == (not want["reasons"]), (category, cid, row["reasons"],
                                                               want["reasons"])  # fmt: skip
