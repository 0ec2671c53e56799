"""The ballot tally (§3) counts every category in one go: whatever the order of the cells,
and however many ballot parts are void, it counts what a plain loop counts."""

import dataclasses
import json
from decimal import Decimal
from fractions import Fraction
from math import ceil

import numpy as np
import pytest

from sanhao.scoring import engine
from sanhao.scoring.codes import CATEGORIES
from sanhao.scoring.facts import parse_facts
from sanhao.scoring.synthetic import generate
from sanhao.scoring.tests.helpers import make_scheme


def facts_of(scheme, seed, voters):
    units = [(f"u{i}", f"第{i}镇") for i in range(4)]
    doc = generate(scheme, units, seed=seed, voters_per_unit=voters, deputies=(2, 5))
    doc["sessions"][1]["invited"] = 10_000  # one session below the quorum
    return parse_facts(json.loads(json.dumps(doc), parse_float=Decimal), scheme)


def plain_counts(scheme, facts):
    """The rules of §3 as a loop over the ballots, one category at a time."""
    specs = [scheme.categories[c] for c in CATEGORIES]
    counts = np.zeros((facts.n_candidates, len(scheme.groups),
                       max(len(s.ballot.grades) for s in specs)), dtype=np.int64)  # fmt: skip
    void = [0] * len(specs)
    cells: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for b, c, g in zip(facts.bcell_ballot, facts.bcell_cand, facts.bcell_grade, strict=True):
        cells.setdefault((int(b), int(facts.cand_category[c])), []).append((int(c), int(g)))
    for (b, category), part in sorted(cells.items()):
        ballot = specs[category].ballot
        s = int(facts.ballot_session[b])
        returned = int(facts.session_returned[s])
        if returned > facts.session_issued[s] or (
            Fraction(returned) < Fraction(ballot.quorum) * int(facts.session_invited[s])
        ):
            continue
        tops = sum(1 for _c, g in part if g == 0)
        if tops > ceil(Fraction(ballot.top_share) * len(part)):
            void[category] += 1
            continue
        for c, g in part:
            if g >= 0:
                counts[c, facts.ballot_group[b], g] += 1
    return counts, void


@pytest.mark.parametrize("top_share", ["0.3", "0"])  # few void parts; nearly all void
def test_it_counts_what_a_plain_loop_counts_in_any_order_of_the_cells(top_share):
    scheme = make_scheme(**{f"categories__{c}__ballot__top_share": top_share
                            for c in CATEGORIES})  # fmt: skip
    facts = facts_of(scheme, seed=7, voters=12)
    want, void = plain_counts(scheme, facts)
    assert sum(void) > 0
    tally = engine.tally_ballots(scheme, facts)
    assert np.array_equal(tally.counts, want)
    assert tally.void_ballots.tolist() == void
    shuffle = np.random.default_rng(1).permutation(len(facts.bcell_ballot))
    mixed = dataclasses.replace(facts, bcell_ballot=facts.bcell_ballot[shuffle],
                                bcell_cand=facts.bcell_cand[shuffle],
                                bcell_grade=facts.bcell_grade[shuffle])  # fmt: skip
    assert np.any(mixed.bcell_ballot[1:] < mixed.bcell_ballot[:-1])  # out of ballot order
    again = engine.tally_ballots(scheme, mixed)
    assert np.array_equal(again.counts, want)
    assert again.void_ballots.tolist() == void


@pytest.mark.parametrize("span", [0, 8])  # 0: every slice counted by sorting its keys
@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_it_counts_the_same_whatever_the_slices(monkeypatch, size, span):
    """The tally goes over the cells slice by slice: a slice may cut a ballot, hold one cell,
    or hold them all, and the cells may come in any order."""
    monkeypatch.setattr(engine, "SPAN_FACTOR", span)
    scheme = make_scheme()
    facts = facts_of(scheme, seed=11, voters=6)
    want, void = plain_counts(scheme, facts)
    shuffle = np.random.default_rng(2).permutation(len(facts.bcell_ballot))
    mixed = dataclasses.replace(facts, bcell_ballot=facts.bcell_ballot[shuffle],
                                bcell_cand=facts.bcell_cand[shuffle],
                                bcell_grade=facts.bcell_grade[shuffle])  # fmt: skip
    monkeypatch.setattr(engine, "TALLY_SLICE", size)
    for cells in (facts, mixed):
        tally = engine.tally_ballots(scheme, cells)
        assert np.array_equal(tally.counts, want)
        assert tally.void_ballots.tolist() == void
