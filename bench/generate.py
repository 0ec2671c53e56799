"""Synthetic facts at scale, built straight into the engine's arrays (no JSON)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from sanhao.scoring.arrays import NumberedIds
from sanhao.scoring.facts import Facts
from sanhao.scoring.scheme import CATEGORIES, Scheme


def build(scheme: Scheme, units: int, *, voters: int = 100, judges: int = 9,
          deputies: tuple[int, int] = (10, 13), seed: int = 1) -> Facts:  # fmt: skip
    rng = np.random.default_rng(seed)
    n_j = len(scheme.indicators)
    quality = rng.uniform(-1, 1, units)
    n_dep = rng.integers(deputies[0], deputies[1] + 1, units)
    per_unit = 2 + n_dep
    n_c = int(per_unit.sum())
    start = np.concatenate([[0], np.cumsum(per_unit)[:-1]])
    cand_unit = np.repeat(np.arange(units, dtype=np.int32), per_unit)
    offset = np.arange(n_c) - start[cand_unit]
    category = np.where(offset == 0, 0, np.where(offset == 1, 1, 2)).astype(np.int8)
    months = np.where(rng.random(n_c) < 0.1, 4, 12).astype(np.int16)
    deputies_idx = np.flatnonzero(category == 2)
    oversees = {int(i): (int(i) % n_j,) for i in deputies_idx[::3]}
    plan = np.round(rng.uniform(5, 50, (units, n_j)), 2)
    prior = np.round(plan * rng.uniform(0.7, 1.0, (units, n_j)), 2)
    actual = np.round(
        plan * rng.uniform(0.75, 1.15, (units, n_j)) * (1 + 0.1 * quality[:, None]), 2
    )
    records = np.minimum(rng.binomial(12, 0.9, (units, len(scheme.records))), 12).astype(np.int32)
    cand_quality = quality[cand_unit] + rng.normal(0, 0.5, n_c)
    # Panel: every judge scores every candidate of a category on its four dimensions.
    sheet_category = np.repeat(np.arange(len(CATEGORIES), dtype=np.int8), judges)
    cells_sheet, cells_cand = [], []
    for s, key in enumerate(sheet_category):
        members = np.flatnonzero(category == key)
        cells_sheet.append(np.full(len(members), s, dtype=np.int32))
        cells_cand.append(members.astype(np.int32))
    cell_sheet = np.concatenate(cells_sheet)
    cell_cand = np.concatenate(cells_cand)
    leniency = rng.uniform(-1.5, 1.5, len(sheet_category))
    base = 20 + 2 * cand_quality[cell_cand] + leniency[cell_sheet]
    width = max(len(c.dimensions) for c in scheme.categories.values())
    cell_scores = np.clip(
        np.round(base[:, None] + rng.uniform(-2, 2, (len(cell_cand), width))), 0, 25
    )
    # Ballots: each unit's voters grade that unit's team, leader and deputies.
    n_groups = len(scheme.categories["team"].ballot.groups)
    n_b = units * voters
    ballot_unit = np.repeat(np.arange(units), voters)
    cells_per = per_unit[ballot_unit]
    b_start = np.concatenate([[0], np.cumsum(cells_per)[:-1]])
    total = int(cells_per.sum())
    bcell_ballot = np.repeat(np.arange(n_b, dtype=np.int32), cells_per)
    bcell_cand = (
        start[ballot_unit][bcell_ballot] + np.arange(total) - b_start[bcell_ballot]
    ).astype(np.int32)
    roll = rng.random(total, dtype=np.float32) - 0.1 * cand_quality[bcell_cand].astype(np.float32)
    bcell_grade = np.select(
        [roll < 0.03, roll < 0.25, roll < 0.8, roll < 0.95], [-1, 0, 1, 2], 3
    ).astype(np.int8)
    del roll
    ids = [f"c{i}" for i in range(n_c)]
    return Facts(
        year=2026, unit_ids=[f"u{i}" for i in range(units)], unit_names=[f"第{i}镇" for i in range(units)],
        cand_ids=ids, cand_names=ids, cand_category=category, cand_unit=cand_unit, cand_months=months,
        oversees=oversees, actual=actual, plan=plan, prior=prior,
        ind_exact={(u, j): (Decimal(repr(float(actual[u, j]))), Decimal(repr(float(plan[u, j]))),
                            Decimal(repr(float(prior[u, j])))) for u in range(units) for j in range(n_j)},
        records_on_time=records, records_detail={},
        sheet_ids=[f"S{s}" for s in range(len(sheet_category))],
        sheet_judge=[f"J{s % judges}" for s in range(len(sheet_category))],
        sheet_judge_unit=np.full(len(sheet_category), -1, dtype=np.int32), sheet_category=sheet_category,
        cell_sheet=cell_sheet, cell_cand=cell_cand, cell_scores=cell_scores,
        session_ids=[f"M{u}" for u in range(units)],
        session_invited=np.full(units, voters, dtype=np.int64),
        session_issued=np.full(units, voters, dtype=np.int64),
        session_returned=np.full(units, voters, dtype=np.int64),
        ballot_ids=NumberedIds("B", n_b), ballot_session=ballot_unit.astype(np.int32),
        ballot_group=(np.arange(n_b) % n_groups).astype(np.int8),
        bcell_ballot=bcell_ballot, bcell_cand=bcell_cand, bcell_grade=bcell_grade,
        agg_session=np.zeros(0, np.int32), agg_cand=np.zeros(0, np.int32), agg_group=np.zeros(0, np.int8),
        agg_grade=np.zeros(0, np.int8), agg_n=np.zeros(0, np.int64),
        bonus_counts=rng.binomial(1, 0.05, (n_c, len(scheme.bonus_items))).astype(np.int64),
        deduction_counts=rng.binomial(1, 0.03, (n_c, len(scheme.deduction_items))).astype(np.int64),
        vetoes={int(i): [("admonition", "")] for i in rng.choice(n_c, size=max(1, n_c // 500), replace=False)},
    )  # fmt: skip
