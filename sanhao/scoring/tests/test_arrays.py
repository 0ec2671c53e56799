"""The engine's array format: a round trip changes no number, and bad arrays are refused."""

import numpy as np

from sanhao.scoring.arrays import NumberedIds, load_arrays, save_arrays, validate_arrays
from sanhao.scoring.engine import compute
from sanhao.scoring.facts import load_facts
from sanhao.scoring.report import to_document
from sanhao.scoring.scheme import load_scheme
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN

SCHEME = load_scheme(EXAMPLE_SCHEME)


def test_it_gives_the_same_result_after_a_round_trip_through_npz(tmp_path):
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    save_arrays(facts, tmp_path / "facts.npz")
    again = load_arrays(tmp_path / "facts.npz")
    assert validate_arrays(again, SCHEME) == []
    again.input_hash = facts.input_hash
    before = to_document(compute(SCHEME, facts), explain=False)
    after = to_document(compute(SCHEME, again), explain=False)
    assert before == after


def test_it_refuses_arrays_that_break_the_rules():
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    facts.bcell_grade[3] = 7
    facts.cell_scores[2, 0] = 51
    facts.plan[1, 0] = 0
    facts.bcell_cand[5] = 99
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert "facts.indicators.plan[1]: 年度计划应大于 0" in problems
    assert "facts.panel.deputy.cells[2]: 分数应在 0 到 50 之间" in problems
    assert "facts.ballots.cells[5]: 未知的候选对象" in problems
    assert any(p.startswith("facts.ballots.deputy.cells") and "未知的等次" in p for p in problems)


def test_it_finds_a_candidate_graded_twice_on_one_ballot():
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    facts.bcell_cand = facts.bcell_cand.copy()
    facts.bcell_cand[1] = facts.bcell_cand[0]
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert "facts.ballots.cells: 同一张选票对同一候选对象有两个等次" in problems


def test_it_numbers_ids_without_holding_them():
    ids = NumberedIds("B", 3)
    assert (len(ids), ids[0], ids[-1], list(ids), ids[1:]) == (
        3,
        "B0",
        "B2",
        ["B0", "B1", "B2"],
        ["B1", "B2"],
    )
    assert np.array(list(ids)).dtype.kind == "U"
