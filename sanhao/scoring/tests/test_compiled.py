"""From COMPILED_CELLS cells (from WARM_CELLS once numba is set up) the tally and the panel
run as compiled loops (kernels.py): the result is the same document, to the byte, as
numpy's, whatever the facts hold."""

import dataclasses
import json
import sys
import types
from decimal import Decimal

import numpy as np
import pytest

from sanhao.scoring import engine, kernels, score
from sanhao.scoring.arrays import load_arrays, save_arrays
from sanhao.scoring.codes import CATEGORIES
from sanhao.scoring.facts import load_facts, parse_facts
from sanhao.scoring.report import to_document, to_json
from sanhao.scoring.scheme import load_scheme
from sanhao.scoring.synthetic import generate
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN, make_scheme
from sanhao.scoring.tests.test_tally import facts_of, plain_counts


def both_ways(scheme, facts, monkeypatch):
    """The document numpy's way and the compiled way (every size compiled)."""
    with monkeypatch.context() as m:
        m.setattr(engine, "COMPILED_CELLS", 1 << 62)
        m.setattr(engine, "WARM_CELLS", 1 << 62)
        numpy_way = to_json(to_document(score(scheme, facts)))
    with monkeypatch.context() as m:
        m.setattr(engine, "COMPILED_CELLS", 0)
        compiled = to_json(to_document(score(scheme, facts)))
    return numpy_way, compiled


def district(scheme, *, seed=3, change=None):
    units = [(f"u{i}", f"第{i}镇") for i in range(6)]
    doc = generate(scheme, units, seed=seed, voters_per_unit=20, deputies=(2, 5))
    doc["sessions"][1]["invited"] = 10_000  # below the quorum: void
    sheets = doc["panel"]
    first = sheets[0]["scores"]
    for c in first:  # every total the same: a void sheet
        first[c] = [20, 20, 20, 20]
    if change:
        change(doc)
    return parse_facts(json.loads(json.dumps(doc), parse_float=Decimal), scheme)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_the_worked_examples_come_out_the_same(n, monkeypatch):
    scheme = load_scheme(GOLDEN / "example3-scheme.toml" if n == 3 else EXAMPLE_SCHEME)
    facts = load_facts(GOLDEN / f"example{n}-facts.json", scheme)
    numpy_way, compiled = both_ways(scheme, facts, monkeypatch)
    assert compiled == numpy_way


def _missing_and_inexact(doc):
    rng = np.random.default_rng(5)
    for sheet in doc["panel"][1:]:
        scores = sheet["scores"]
        for c in list(scores):
            # scores with decimals whose sums depend on the order they are added in
            scores[c] = [max(0.0, round(float(v) - rng.integers(0, 10) * 0.1 - 0.0003, 4))
                         for v in scores[c]]  # fmt: skip
        if rng.random() < 0.3:  # a judge who left a candidate out: R differs
            scores.pop(next(iter(scores)))


def _ranked_leaders(doc):
    for sheet in doc["panel"]:
        if sheet["category"] == "leader":
            scores = sheet.pop("scores")
            ranked = sorted(scores, key=lambda c: -sum(scores[c]))
            sheet["ranks"] = {c: place for place, c in enumerate(ranked, start=1)}


@pytest.mark.parametrize("seed", [3, 4])
@pytest.mark.parametrize(
    ("rules", "change"),
    [({}, None), ({}, _missing_and_inexact),
     ({"categories__leader__panel__mode": "rank"}, _ranked_leaders),
     ({f"categories__{c}__ballot__top_share": "0.2" for c in CATEGORIES}, None)],
    ids=["plain", "missing-inexact", "rank", "void-parts"],
)  # fmt: skip
def test_a_varied_district_comes_out_the_same(seed, rules, change, monkeypatch):
    scheme = make_scheme(**rules)
    facts = district(scheme, seed=seed, change=change)
    numpy_way, compiled = both_ways(scheme, facts, monkeypatch)
    assert compiled == numpy_way
    document = json.loads(compiled)
    assert document["categories"]["team"]["void_sessions"]
    if not rules:
        assert any(part["void_sheets"] for part in document["categories"].values())


def test_cells_in_any_order_and_scores_as_float32_come_out_the_same(tmp_path, monkeypatch):
    scheme = make_scheme()
    facts = district(scheme, change=_missing_and_inexact)
    rng = np.random.default_rng(9)
    ballots = rng.permutation(len(facts.bcell_ballot))  # ballots' cells apart: numpy counts
    sheets = rng.permutation(len(facts.cell_sheet))
    mixed = dataclasses.replace(
        facts, bcell_ballot=facts.bcell_ballot[ballots], bcell_cand=facts.bcell_cand[ballots],
        bcell_grade=facts.bcell_grade[ballots], cell_sheet=facts.cell_sheet[sheets],
        cell_cand=facts.cell_cand[sheets], cell_scores=facts.cell_scores[sheets],
    )  # fmt: skip
    numpy_way, compiled = both_ways(scheme, mixed, monkeypatch)
    assert compiled == numpy_way
    save_arrays(district(scheme), tmp_path / "f.npz")  # whole points: exact in float32
    arrays = load_arrays(tmp_path / "f.npz")
    narrow = dataclasses.replace(arrays, cell_scores=arrays.cell_scores.astype(np.float32))
    numpy_way, compiled = both_ways(scheme, narrow, monkeypatch)
    assert compiled == numpy_way


@pytest.mark.parametrize("top_share", ["0.3", "0"])
def test_the_compiled_tally_counts_what_a_plain_loop_counts(top_share, monkeypatch):
    scheme = make_scheme(**{f"categories__{c}__ballot__top_share": top_share
                            for c in CATEGORIES})  # fmt: skip
    facts = facts_of(scheme, seed=7, voters=12)
    want, void = plain_counts(scheme, facts)
    monkeypatch.setattr(engine, "COMPILED_CELLS", 0)
    tally = engine.tally_ballots(scheme, facts)
    assert np.array_equal(tally.counts, want)
    assert tally.void_ballots.tolist() == void
    # a ballot's cells in any order within it: categories interleaved, a void part's cells
    # taken off wherever they are
    rng = np.random.default_rng(3)
    within = np.lexsort((rng.random(len(facts.bcell_ballot)), facts.bcell_ballot))
    mixed = dataclasses.replace(
        facts, bcell_ballot=facts.bcell_ballot[within], bcell_cand=facts.bcell_cand[within],
        bcell_grade=facts.bcell_grade[within],
    )  # fmt: skip
    categories = mixed.cand_category[mixed.bcell_cand]
    assert np.any((categories[1:] != categories[:-1]) & (np.diff(mixed.bcell_ballot) == 0))
    tally = engine.tally_ballots(scheme, mixed)
    assert np.array_equal(tally.counts, want)
    assert tally.void_ballots.tolist() == void


def test_the_loops_run_from_warm_cells_only_once_numba_is_set_up(monkeypatch):
    facts = facts_of(make_scheme(), seed=7, voters=4)
    cells = len(facts.bcell_cand) + len(facts.cell_cand)
    monkeypatch.setattr(engine, "COMPILED_CELLS", cells + 1)
    monkeypatch.setattr(engine, "WARM_CELLS", cells)
    kernels.warm()
    assert kernels.ready() and engine._runs_compiled(facts)
    monkeypatch.setattr(engine, "WARM_CELLS", cells + 1)
    assert not engine._runs_compiled(facts)  # too few cells, numba or not
    monkeypatch.setattr(engine, "WARM_CELLS", cells)
    monkeypatch.setattr(kernels, "ready", lambda: False)
    assert not engine._runs_compiled(facts)  # numba not set up: not loaded for so few
    monkeypatch.delitem(sys.modules, "sanhao.scoring.kernels")
    assert not engine._runs_compiled(facts)
    # another thread importing kernels: in sys.modules, its functions not yet defined
    monkeypatch.setitem(sys.modules, "sanhao.scoring.kernels", types.ModuleType("partial"))
    assert not engine._runs_compiled(facts)
    monkeypatch.setattr(engine, "COMPILED_CELLS", cells)
    assert engine._runs_compiled(facts)  # enough cells to pay for numba's load


def test_the_compiled_tally_declines_cells_that_do_not_come_ballot_by_ballot():
    scheme = make_scheme()
    facts = facts_of(scheme, seed=7, voters=4)
    args = (facts.cand_category, facts.ballot_group, facts.ballot_session,
            np.ones((3, len(facts.session_ids)), dtype=bool), [(1, 2)] * 3,
            (facts.n_candidates, len(scheme.groups), 4))  # fmt: skip
    back = np.arange(len(facts.bcell_ballot))[::-1]
    assert kernels.tally(facts.bcell_cand[back], facts.bcell_ballot[back],
                         facts.bcell_grade[back], *args) is None  # fmt: skip
    wrong = facts.bcell_cand.copy()
    wrong[5] = facts.n_candidates  # a candidate out of range
    with pytest.raises(IndexError, match="ballot cell 5"):
        kernels.tally(wrong, facts.bcell_ballot, facts.bcell_grade, *args)
    category = facts.cand_category.copy()
    category[facts.bcell_cand[0]] = -1  # the first cell's category out of range
    with pytest.raises(IndexError, match="ballot cell 0"):
        kernels.tally(facts.bcell_cand, facts.bcell_ballot, facts.bcell_grade, category,
                      *args[1:])  # fmt: skip


def test_the_compiled_panel_refuses_a_sheet_out_of_range():
    scheme = make_scheme()
    facts = district(scheme)
    sheets = facts.cell_sheet.copy()
    sheets[3] = len(facts.sheet_ids)
    with pytest.raises(IndexError, match="panel cell 3"):
        kernels.sheet_totals(sheets, facts.cell_scores, 4, facts.sheet_category, 0, 10_000, 9)


@pytest.mark.parametrize("columns", range(1, 12))
def test_short_row_sums_add_as_numpy_adds(columns):
    rng = np.random.default_rng(columns)
    values = rng.random((200, 3, columns)) * 10.0 ** rng.integers(-8, 8, (200, 3, columns))
    assert engine._row_sums(values).tobytes() == values.sum(axis=-1).tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_the_panel_gives_numpys_floats_when_judges_leave_candidates_out(seed, monkeypatch):
    """Candidates scored by different numbers of sheets take numpy's reduceat, which adds a
    candidate's first score to the sum of the rest, not left to right: the compiled panel
    must give its floats, not just numbers that print the same."""
    scheme = make_scheme()
    units = [(f"u{i}", f"第{i}镇") for i in range(6)]
    doc = generate(scheme, units, seed=seed, voters_per_unit=10, judges=10, deputies=(2, 5))
    rng = np.random.default_rng(seed)
    for sheet in doc["panel"]:
        for c in sheet["scores"]:
            sheet["scores"][c] = [round(float(rng.uniform(15, 24.9)), 4) for _ in range(4)]
        if rng.random() < 0.4:
            sheet["scores"].pop(next(iter(sheet["scores"])))
    facts = parse_facts(json.loads(json.dumps(doc), parse_float=Decimal), scheme)
    parts = []
    for cells in (1 << 62, 0):
        monkeypatch.setattr(engine, "COMPILED_CELLS", cells)
        spec = scheme.categories["team"]
        members = np.flatnonzero(facts.cand_category == spec.category.ordinal)
        local = np.full(facts.n_candidates, -1, dtype=np.int64)
        local[members] = np.arange(len(members))
        parts.append(engine.panel(spec, facts, members, local))
    numpy_way, compiled = parts
    assert len(set(numpy_way.sheets.tolist())) > 1  # R differs
    assert compiled.dimensions.tobytes() == numpy_way.dimensions.tobytes()
    assert compiled.p.tobytes() == numpy_way.p.tobytes()
    assert all(np.array_equal(a, b) for a, b in zip(compiled.cells, numpy_way.cells, strict=True))


def test_the_compiled_panel_refuses_a_candidate_out_of_range():
    scheme = make_scheme()
    facts = district(scheme)
    cands = facts.cell_cand.copy()
    cands[2] = facts.n_candidates
    keep = np.ones(len(facts.sheet_ids), dtype=bool)
    local = np.arange(facts.n_candidates)
    with pytest.raises(IndexError, match="candidate is out of range"):
        kernels.candidate_scores(facts.cell_sheet, cands, facts.cell_scores, 4, keep, local,
                                 facts.n_candidates)  # fmt: skip
