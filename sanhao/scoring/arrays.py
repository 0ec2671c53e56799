"""The engine's own in-memory format on disk (.npz), and its checks.

For districts too large for JSON (a province, the nation) the facts travel as numpy
arrays: `save_arrays` / `load_arrays`. `validate_arrays` checks them with the same
rules as the JSON reader, vectorised, and reports each problem with its location.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

import numpy as np

from sanhao.scoring.facts import Facts
from sanhao.scoring.problems import Collector, Problem
from sanhao.scoring.scheme import CATEGORIES, Scheme

ARRAY_FIELDS = (
    "cand_category", "cand_unit", "cand_months", "actual", "plan", "prior", "records_on_time",
    "sheet_judge_unit", "sheet_category", "cell_sheet", "cell_cand", "cell_scores",
    "session_invited", "session_issued", "session_returned", "ballot_session", "ballot_group",
    "bcell_ballot", "bcell_cand", "bcell_grade", "agg_session", "agg_cand", "agg_group",
    "agg_grade", "agg_n", "bonus_counts", "deduction_counts",
)  # fmt: skip
TEXT_FIELDS = ("unit_ids", "unit_names", "cand_ids", "cand_names", "sheet_ids", "sheet_judge",
               "session_ids")  # fmt: skip


class NumberedIds(Sequence[str]):
    """Ids `prefix0 … prefix(n−1)` without holding n strings (millions of ballots)."""

    def __init__(self, prefix: str, n: int) -> None:
        self.prefix, self.n = prefix, n

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [f"{self.prefix}{k}" for k in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return f"{self.prefix}{i % self.n}"

    def __iter__(self) -> Iterator[str]:
        return (f"{self.prefix}{k}" for k in range(self.n))


def save_arrays(facts: Facts, path: str | Path) -> None:
    arrays: dict[str, Any] = {name: getattr(facts, name) for name in ARRAY_FIELDS}
    for name in TEXT_FIELDS:
        arrays[name] = np.array(list(getattr(facts, name)), dtype=str)
    meta = {
        "year": facts.year, "ballots": len(facts.ballot_ids),
        "oversees": {str(k): list(v) for k, v in facts.oversees.items()},
        "vetoes": {str(k): v for k, v in facts.vetoes.items()},
    }  # fmt: skip
    arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
    np.savez(path, **arrays)


def load_arrays(path: str | Path) -> Facts:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        fields: dict[str, Any] = {name: data[name] for name in ARRAY_FIELDS}
        for name in TEXT_FIELDS:
            fields[name] = data[name].tolist()
    n_u, n_j = fields["actual"].shape
    exact = {
        (u, j): (Decimal(repr(float(fields["actual"][u, j]))), Decimal(repr(float(fields["plan"][u, j]))),
                 Decimal(repr(float(fields["prior"][u, j]))))
        for u in range(n_u) for j in range(n_j)
    }  # fmt: skip
    return Facts(
        year=meta["year"], ind_exact=exact, records_detail={},
        oversees={int(k): tuple(v) for k, v in meta["oversees"].items()},
        vetoes={int(k): [(str(x[0]), str(x[1])) for x in v] for k, v in meta["vetoes"].items()},
        ballot_ids=NumberedIds("B", meta["ballots"]), **fields,
    )  # fmt: skip


def validate_arrays(facts: Facts, scheme: Scheme) -> list[Problem]:
    """The JSON reader's rules, on arrays; the first few offending rows of each rule."""
    out = Collector()
    n_u, n_c = len(facts.unit_ids), len(facts.cand_ids)

    def check(bad: Any, where: str, message: str) -> None:
        for row in np.flatnonzero(bad)[:5]:
            out.add(f"{where}[{row}]", message)

    check((facts.cand_unit < 0) | (facts.cand_unit >= n_u), "facts.candidates.unit", "未知的镇街")
    check((facts.cand_category < 0) | (facts.cand_category >= len(CATEGORIES)),
          "facts.candidates.category", "未知的类别")  # fmt: skip
    for name in ("actual", "plan", "prior"):
        values = getattr(facts, name)
        check(~np.isfinite(values).all(axis=1), f"facts.indicators.{name}", "缺少数值或不是数字")
    check((facts.plan <= 0).any(axis=1), "facts.indicators.plan", "年度计划应大于 0")
    check((facts.actual < 0).any(axis=1), "facts.indicators.actual", "实际完成不能为负")
    check((facts.cell_cand < 0) | (facts.cell_cand >= n_c), "facts.panel.cells", "未知的候选对象")
    check((facts.cell_sheet < 0) | (facts.cell_sheet >= len(facts.sheet_ids)), "facts.panel.cells",
          "未知的评分表")  # fmt: skip
    # Out-of-range references are reported above; clip them to look up the rest safely.
    sheet_of = facts.sheet_category[np.clip(facts.cell_sheet, 0, max(len(facts.sheet_ids) - 1, 0))]
    grade_cat = facts.cand_category[np.clip(facts.bcell_cand, 0, max(n_c - 1, 0))]
    for key, category in enumerate(CATEGORIES):
        spec = scheme.categories[category]
        if spec.panel.mode == "score":
            in_cat = sheet_of == key
            dims = facts.cell_scores[in_cat, : len(spec.dimensions)]
            wrong = ~((dims >= 0) & (dims <= float(spec.panel.dimension_max))).all(axis=1)
            check(
                wrong,
                f"facts.panel.{category}.cells",
                f"分数应在 0 到 {spec.panel.dimension_max} 之间",
            )
        grades = facts.bcell_grade[grade_cat == key]
        check((grades < -1) | (grades >= len(spec.ballot.grades)), f"facts.ballots.{category}.cells",
              "未知的等次")  # fmt: skip
    check(
        (facts.bcell_cand < 0) | (facts.bcell_cand >= n_c), "facts.ballots.cells", "未知的候选对象"
    )
    check((facts.bcell_ballot < 0) | (facts.bcell_ballot >= len(facts.ballot_ids)),
          "facts.ballots.cells", "未知的选票")  # fmt: skip
    check((facts.ballot_session < 0) | (facts.ballot_session >= len(facts.session_ids)),
          "facts.ballots.session", "未知的测评场次")  # fmt: skip
    n_groups = len(next(iter(scheme.categories.values())).ballot.groups)
    check((facts.ballot_group < 0) | (facts.ballot_group >= n_groups), "facts.ballots.group",
          "未知的投票人类别")  # fmt: skip
    if len(set(facts.cand_ids)) != n_c:
        out.add("facts.candidates.id", "候选对象编号重复")
    # One grade per candidate per ballot: (ballot, candidate) pairs are unique.
    pair = facts.bcell_ballot.astype(np.int64) * n_c + facts.bcell_cand
    ordered = len(pair) < 2 or bool((np.diff(pair) > 0).all())  # cells in order: O(n)
    if not ordered and len(np.unique(pair)) != len(pair):
        out.add("facts.ballots.cells", "同一张选票对同一候选对象有两个等次")
    return out.problems
