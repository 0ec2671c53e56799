"""The engine's array format: a round trip changes no number, and bad arrays are refused."""

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from sanhao.scoring import InvalidInput, score
from sanhao.scoring.arrays import NumberedIds, load_arrays, save_arrays, validate_arrays
from sanhao.scoring.codes import CATEGORIES
from sanhao.scoring.facts import load_facts, parse_facts
from sanhao.scoring.report import to_document
from sanhao.scoring.scheme import load_scheme, parse_scheme
from sanhao.scoring.synthetic import demo_facts
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN

SCHEME = load_scheme(EXAMPLE_SCHEME)
ROOT = Path(__file__).resolve().parents[1]


def test_it_gives_the_same_result_after_a_round_trip_through_npz(tmp_path):
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    save_arrays(facts, tmp_path / "facts.npz")
    again = load_arrays(tmp_path / "facts.npz")
    assert validate_arrays(again, SCHEME) == []
    again.input_hash = facts.input_hash
    before = to_document(score(SCHEME, facts), explain=False)
    after = to_document(score(SCHEME, again), explain=False)
    assert before == after


def test_it_refuses_arrays_that_break_the_rules():
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    facts.bcell_grade[3] = 7
    facts.cell_scores[2, 0] = 51
    facts.cell_scores[3, 1] = 20.00001  # more than 4 decimals
    facts.plan[1, 0] = 0
    facts.actual[0, 0] = 1e400
    facts.bcell_cand[5] = 99
    facts.cand_months[0] = 400
    facts.session_invited[0] = -1
    facts.bonus_counts[0, 0] = -2
    facts.vetoes[1] = [("earthquake", "")]
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert "facts.indicators.plan[1]: 年度计划应大于 0" in problems
    assert "facts.indicators.actual[0]: 缺少数值、不是有限的数或绝对值超过 10^15" in problems
    assert "facts.panel.deputy.cells[2]: 分数应在 0 到 50 之间，至多 4 位小数" in problems
    assert "facts.panel.deputy.cells[3]: 分数应在 0 到 50 之间，至多 4 位小数" in problems
    assert "facts.ballots.cells[5]: 未知的候选对象" in problems
    assert "facts.ballots.deputy.cells[3]: 未知的等次" in problems
    assert "facts.candidates.months_in_post[0]: 应为 0 到 12 的整数" in problems
    assert "facts.sessions.invited[0]: 应为 0 到 10^9 的整数" in problems
    assert "facts.bonus_counts[0]: 次数应为 0 到 10^12 的整数" in problems
    assert "facts.vetoes[1].kind: 未知的否决事项：earthquake" in problems


def test_it_refuses_arrays_of_the_wrong_shape_before_reading_them():
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    facts.cand_unit = facts.cand_unit[:-1]
    facts.cell_scores = facts.cell_scores.astype(np.int64)
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert problems == ["facts.cand_unit: 数组形状应为 (5,)，现为 (4,)",
                        "facts.cell_scores: 数组类型应为浮点数"]  # fmt: skip


def test_it_checks_arrays_given_to_score_and_refuses_them():
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    facts.checked = ""  # as if built by hand
    facts.cell_cand[0] = 77
    with pytest.raises(InvalidInput) as error:
        score(SCHEME, facts)
    assert "facts.panel.cells[0]: 未知的候选对象" in [str(p) for p in error.value.problems]


def test_it_finds_a_candidate_graded_twice_on_one_ballot():
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    facts.bcell_cand = facts.bcell_cand.copy()
    facts.bcell_cand[1] = facts.bcell_cand[0]
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert "facts.ballots.cells: 同一张选票对同一候选对象有两个等次" in problems


def test_it_finds_a_sheet_scoring_a_candidate_twice_wherever_the_rows_are():
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    assert validate_arrays(facts, SCHEME) == []
    order = np.random.default_rng(5).permutation(len(facts.cell_cand))
    for name in ("cell_sheet", "cell_cand", "cell_scores"):  # rows out of order: still fine
        setattr(facts, name, getattr(facts, name)[order])
    assert validate_arrays(facts, SCHEME) == []
    facts.cell_cand[-1], facts.cell_sheet[-1] = facts.cell_cand[0], facts.cell_sheet[0]
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert "facts.panel.cells: 同一张评分表对同一候选对象有两行分数" in problems


@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 20])
def test_it_checks_slice_by_slice_without_missing_a_cut(monkeypatch, chunk):
    """Large arrays are checked in slices; a duplicate or a bad score just across a cut is
    still found, and reported at its row among all rows."""
    monkeypatch.setattr("sanhao.scoring.arrays.CHUNK", chunk)
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    assert validate_arrays(facts, SCHEME) == []
    last = len(facts.cell_cand) - 1
    facts.cell_scores[last, 0] = -1
    facts.cell_scores[1, 0] = 0.00001
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    category = CATEGORIES[int(facts.sheet_category[facts.cell_sheet[last]])]
    assert f"facts.panel.{category}.cells[{last}]: 分数应在 0 到 50 之间，至多 4 位小数" in problems
    category = CATEGORIES[int(facts.sheet_category[facts.cell_sheet[1]])]
    assert f"facts.panel.{category}.cells[1]: 分数应在 0 到 50 之间，至多 4 位小数" in problems
    facts = load_facts(GOLDEN / "example2-facts.json", SCHEME)
    b = len(facts.bcell_cand) // 2  # the next cell repeats this one's pair
    facts.bcell_cand[b + 1], facts.bcell_ballot[b + 1] = facts.bcell_cand[b], facts.bcell_ballot[b]
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert "facts.ballots.cells: 同一张选票对同一候选对象有两个等次" in problems


def test_it_refuses_a_grade_that_only_another_category_has():
    """A grade index valid in a category of more grades is refused for one of fewer."""
    rules = dict(tomllib.loads((ROOT / "default_scheme.toml").read_text(encoding="utf-8")))
    ballot = rules["categories"]["leader"]["ballot"]
    ballot["grades"] = [*ballot["grades"], "很差"]
    ballot["points"] = [*ballot["points"], 0]
    scheme = parse_scheme(rules)
    facts = parse_facts(json.loads(json.dumps(demo_facts(scheme))), scheme)
    assert validate_arrays(facts, scheme) == []
    category = facts.cand_category[facts.bcell_cand]
    leader, deputy = (np.flatnonzero(category == c.ordinal)[0] for c in CATEGORIES[1:])
    facts.bcell_grade[leader] = facts.bcell_grade[deputy] = len(ballot["grades"]) - 1
    problems = [str(p) for p in validate_arrays(facts, scheme)]
    assert problems == [f"facts.ballots.deputy.cells[{deputy}]: 未知的等次"]


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


@pytest.mark.parametrize("example", [1, 2])
def test_it_scores_the_same_whatever_the_order_of_the_panel_cells(example):
    """The engine takes a panel's cells sheet by sheet as they come, or sorts them when they
    come in another order: the same void sheets, the same P."""
    import dataclasses

    facts = load_facts(GOLDEN / f"example{example}-facts.json", SCHEME)
    before = to_document(score(SCHEME, facts))
    mixed = np.random.default_rng(5).permutation(len(facts.cell_cand))
    shuffled = dataclasses.replace(facts, cell_cand=facts.cell_cand[mixed],
                                   cell_sheet=facts.cell_sheet[mixed],
                                   cell_scores=facts.cell_scores[mixed])  # fmt: skip
    assert np.any(shuffled.cell_sheet[1:] < shuffled.cell_sheet[:-1])
    assert to_document(score(SCHEME, shuffled)) == before
    if example == 1:
        assert before["categories"]["team"]["void_sheets"]  # the example has a void sheet


def test_it_checks_every_deputys_overseen_indicators():
    """All of them, not the first 100,000 (a nation has 150,000 deputies who oversee)."""
    scheme = load_scheme()
    facts = parse_facts(json.loads(json.dumps(demo_facts(scheme))), scheme)
    deputy = int(np.flatnonzero(facts.cand_category == CATEGORIES.index("deputy"))[0])
    team = int(np.flatnonzero(facts.cand_category == CATEGORIES.index("team"))[0])
    n_ind = len(scheme.indicators)
    facts.oversees = {deputy: (0, 0), team: (0,), 10**6: (0,)}
    problems = [str(p) for p in validate_arrays(facts, scheme)]
    assert f"facts.candidates.oversees[{deputy}]: 分管指标重复" in problems
    assert f"facts.candidates.oversees[{team}]: 只有好班副（deputy）有分管指标" in problems
    assert "facts.candidates.oversees[1000000]: 只有好班副（deputy）有分管指标" in problems
    many = dict.fromkeys(range(10**6, 10**6 + 150_000), (0,))  # not candidates: refused
    facts.oversees = {**many, deputy: (n_ind,)}
    problems = [str(p) for p in validate_arrays(facts, scheme)]
    assert f"facts.candidates.oversees[{deputy}]: 未知的指标" in problems
    facts.oversees = {deputy: ("sales",)}
    problems = [str(p) for p in validate_arrays(facts, scheme)]
    assert "facts.candidates.oversees: 分管指标应为指标序号的列表" in problems
    facts.oversees = {"x": (0,), deputy: (0,)}  # mixed keys: a problem, not a TypeError
    problems = [str(p) for p in validate_arrays(facts, scheme)]
    assert problems == ["facts.candidates.oversees: 候选对象应以序号表示"]
    facts.oversees = {deputy: (0,)}
    assert validate_arrays(facts, scheme) == []
    facts.oversees = {np.int64(deputy): (np.int64(0),)}  # numpy integers are indices too
    assert validate_arrays(facts, scheme) == []


@pytest.mark.parametrize("name", ["cell_cand", "bcell_cand", "agg_cand"])
def test_it_refuses_cells_whose_candidates_are_not_integers(name):
    """The arrays whose length sets the others' shapes have their type checked too: a float
    array of candidates was an IndexError deep in the checks, not a problem listed."""
    facts = load_facts(GOLDEN / "example1-facts.json", SCHEME)
    before = to_document(score(SCHEME, facts))
    cells = getattr(facts, name)
    setattr(facts, name, cells.astype(np.float64))
    problems = [str(p) for p in validate_arrays(facts, SCHEME)]
    assert problems == [f"facts.{name}: 数组类型应为整数"]
    setattr(facts, name, cells.astype(np.uint32))  # unsigned, as wide as int32 at most: fine
    assert validate_arrays(facts, SCHEME) == []
    facts.checked = ""
    assert to_document(score(SCHEME, facts)) == before
    setattr(facts, name, cells.astype(np.uint64))  # would turn int64 arithmetic into floats
    assert [str(p) for p in validate_arrays(facts, SCHEME)] == problems


def test_it_scores_panel_scores_given_as_float32_as_float64():
    """A float32 array of panel scores passes the checks: the engine reads it as float64."""
    facts = load_facts(GOLDEN / "example1-facts.json", SCHEME)
    before = to_document(score(SCHEME, facts))
    facts.cell_scores = facts.cell_scores.astype(np.float32)
    facts.checked = ""
    assert to_document(score(SCHEME, facts)) == before
