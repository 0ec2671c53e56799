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
from pydantic_core import PydanticCustomError

from sanhao.scoring.codes import CATEGORIES, Category
from sanhao.scoring.facts import Facts
from sanhao.scoring.formats import MAX_COUNT, MAX_MAGNITUDE, PANEL_PLACES, to_decimal
from sanhao.scoring.problems import Collector, Problem
from sanhao.scoring.scheme import Scheme

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
    """The JSON reader's rules, on arrays, vectorised; the first few offending rows of each.

    Shapes first: when an array has the wrong length, nothing else is checked (the other
    rules would read past it).
    """
    out = Collector()
    if not _shapes(facts, scheme, out):
        return out.problems
    n_u, n_c = len(facts.unit_ids), len(facts.cand_ids)
    n_s, n_b = len(facts.sheet_ids), len(facts.ballot_ids)

    def check(bad: Any, where: str, message: str) -> None:
        for row in np.flatnonzero(bad)[:5]:
            out.add(f"{where}[{row}]", message)

    def outside(values: np.ndarray, low: int, high: int) -> np.ndarray:
        return (values < low) | (values > high)

    for name, noun in (("unit_ids", "镇街"), ("cand_ids", "候选对象"), ("sheet_ids", "评分表"),
                       ("session_ids", "测评场次")):  # fmt: skip
        ids = list(getattr(facts, name))
        if len(set(ids)) != len(ids):
            out.add(f"facts.{name}", f"{noun}编号重复")
        if any(not isinstance(x, str) or not x or len(x) > 100 for x in ids):
            out.add(f"facts.{name}", f"{noun}编号应为 1 到 100 个字符的文字")
    if (
        isinstance(facts.year, bool)
        or not isinstance(facts.year, int)
        or not (1900 <= facts.year <= 2999)
    ):
        out.add("facts.year", "应为 1900 到 2999 的整数")
    check(outside(facts.cand_unit, 0, n_u - 1), "facts.candidates.unit", "未知的镇街")
    check(outside(facts.cand_category, 0, len(CATEGORIES) - 1), "facts.candidates.category",
          "未知的类别")  # fmt: skip
    check(outside(facts.cand_months, 0, 12), "facts.candidates.months_in_post",
          "应为 0 到 12 的整数")  # fmt: skip
    deputy = Category.DEPUTY.ordinal
    for i, chosen in sorted(facts.oversees.items())[:100_000]:
        if not 0 <= i < n_c or facts.cand_category[i] != deputy:
            out.add(f"facts.candidates.oversees[{i}]", "只有好班副（deputy）有分管指标")
        elif any(not 0 <= j < len(scheme.indicators) for j in chosen):
            out.add(f"facts.candidates.oversees[{i}]", "未知的指标")
    for name in ("actual", "plan", "prior"):
        values = getattr(facts, name)
        bad = ~np.isfinite(values) | (np.abs(values) > MAX_MAGNITUDE)
        check(
            bad.any(axis=1), f"facts.indicators.{name}", "缺少数值、不是有限的数或绝对值超过 10^15"
        )
    check((facts.plan <= 0).any(axis=1), "facts.indicators.plan", "年度计划应大于 0")
    check((facts.actual < 0).any(axis=1), "facts.indicators.actual", "实际完成不能为负")
    _exact_inputs(facts, out)
    expected = np.array([r.expected for r in scheme.records], dtype=np.int64)
    check(((facts.records_on_time < 0) | (facts.records_on_time > expected)).any(axis=1),
          "facts.records", "按时记录数应在 0 到应有数之间")  # fmt: skip
    check(outside(facts.sheet_category, 0, len(CATEGORIES) - 1), "facts.panel.category",
          "未知的类别")  # fmt: skip
    check(outside(facts.sheet_judge_unit, -1, n_u - 1), "facts.panel.judge_unit", "未知的镇街")
    check(outside(facts.cell_cand, 0, n_c - 1), "facts.panel.cells", "未知的候选对象")
    check(outside(facts.cell_sheet, 0, n_s - 1), "facts.panel.cells", "未知的评分表")
    # Out-of-range references are reported above; clip them to look up the rest safely.
    cell_sheet = np.clip(facts.cell_sheet, 0, max(n_s - 1, 0))
    cell_cand = np.clip(facts.cell_cand, 0, max(n_c - 1, 0))
    sheet_of = facts.sheet_category[cell_sheet] if n_s else np.zeros(0, dtype=np.int8)
    if n_c and len(sheet_of):
        check(facts.cand_category[cell_cand] != sheet_of, "facts.panel.cells",
              "该候选对象不属于评分表的类别")  # fmt: skip
    pair = facts.cell_sheet.astype(np.int64) * max(n_c, 1) + facts.cell_cand
    if len(np.unique(pair)) != len(pair):
        out.add("facts.panel.cells", "同一张评分表对同一候选对象有两行分数")
    bcell_cand = np.clip(facts.bcell_cand, 0, max(n_c - 1, 0))
    grade_cat = facts.cand_category[bcell_cand] if n_c else np.zeros(0, dtype=np.int8)
    agg_cat = (facts.cand_category[np.clip(facts.agg_cand, 0, max(n_c - 1, 0))] if n_c
               else np.zeros(0, dtype=np.int8))  # fmt: skip
    unit = 10**PANEL_PLACES
    for key, category in enumerate(CATEGORIES):
        spec = scheme.categories[category]
        in_cat = sheet_of == key
        if spec.panel.mode == "score":
            dims = facts.cell_scores[in_cat, : len(spec.dimensions)]
            wrong = ~((dims >= 0) & (dims <= float(spec.panel.dimension_max))).all(axis=1)
            scaled = dims * unit
            wrong |= (np.abs(scaled - np.round(scaled)) > 1e-6).any(axis=1)
            check(_rows(in_cat, wrong), f"facts.panel.{category}.cells",
                  f"分数应在 0 到 {spec.panel.dimension_max} 之间，至多 {PANEL_PLACES} 位小数")  # fmt: skip
        else:
            ranks = facts.cell_scores[in_cat, 0]
            wrong = ~((ranks >= 1) & (ranks <= 10**6) & (ranks == np.round(ranks)))
            check(_rows(in_cat, wrong), f"facts.panel.{category}.cells",
                  "名次应为 1 到 1000000 的整数")  # fmt: skip
        grades = len(spec.ballot.grades)
        check((grade_cat == key) & outside(facts.bcell_grade, -1, grades - 1),
              f"facts.ballots.{category}.cells", "未知的等次")  # fmt: skip
        check((agg_cat == key) & outside(facts.agg_grade, 0, grades - 1),
              f"facts.ballot_counts.{category}", "未知的等次")  # fmt: skip
    for name in ("invited", "issued", "returned"):
        check(outside(getattr(facts, f"session_{name}"), 0, MAX_COUNT), f"facts.sessions.{name}",
              "应为 0 到 10^9 的整数")  # fmt: skip
    check(outside(facts.bcell_cand, 0, n_c - 1), "facts.ballots.cells", "未知的候选对象")
    check(outside(facts.bcell_ballot, 0, n_b - 1), "facts.ballots.cells", "未知的选票")
    check(outside(facts.ballot_session, 0, len(facts.session_ids) - 1), "facts.ballots.session",
          "未知的测评场次")  # fmt: skip
    n_groups = len(scheme.groups)
    check(outside(facts.ballot_group, 0, n_groups - 1), "facts.ballots.group", "未知的投票人类别")
    check(outside(facts.agg_session, 0, len(facts.session_ids) - 1),
          "facts.ballot_counts.session", "未知的测评场次")  # fmt: skip
    check(outside(facts.agg_cand, 0, n_c - 1), "facts.ballot_counts.candidate", "未知的候选对象")
    check(outside(facts.agg_group, 0, n_groups - 1), "facts.ballot_counts.group",
          "未知的投票人类别")  # fmt: skip
    check(outside(facts.agg_n, 0, MAX_COUNT), "facts.ballot_counts.counts", "应为 0 到 10^9 的整数")
    for name in ("bonus_counts", "deduction_counts"):
        check(outside(getattr(facts, name), 0, 10**12).any(axis=1), f"facts.{name}",
              "次数应为 0 到 10^12 的整数")  # fmt: skip
    for i, events in sorted(facts.vetoes.items())[:100_000]:
        if not 0 <= i < n_c:
            out.add(f"facts.vetoes[{i}]", "未知的候选对象")
        for kind, _note in events:
            if kind not in scheme.veto_kinds:
                out.add(f"facts.vetoes[{i}].kind", f"未知的否决事项：{kind}")
    # One grade per candidate per ballot: (ballot, candidate) pairs are unique.
    pair = facts.bcell_ballot.astype(np.int64) * n_c + facts.bcell_cand
    ordered = len(pair) < 2 or bool((np.diff(pair) > 0).all())  # cells in order: O(n)
    if not ordered and len(np.unique(pair)) != len(pair):
        out.add("facts.ballots.cells", "同一张选票对同一候选对象有两个等次")
    return out.problems


def _rows(mask: np.ndarray, wrong: np.ndarray) -> np.ndarray:
    """`wrong`, given for the rows where `mask` holds, as a mask over all rows."""
    full = np.zeros(len(mask), dtype=bool)
    full[np.flatnonzero(mask)] = wrong
    return full


def _exact_inputs(facts: Facts, out: Collector) -> None:
    """The exact indicator values: one per unit and indicator, bounded like the JSON's."""
    n_u, n_j = facts.actual.shape
    if len(facts.ind_exact) != n_u * n_j:
        out.add("facts.indicators", "精确数值应为每个镇街的每个指标各一组")
        return
    for (u, j), values in facts.ind_exact.items():
        if not (0 <= u < n_u and 0 <= j < n_j):
            out.add("facts.indicators", "精确数值应为每个镇街的每个指标各一组")
            return
        for name, value in zip(("actual", "plan", "prior"), values, strict=True):
            try:
                to_decimal(value)
            except PydanticCustomError as error:
                out.add(f"facts.indicators.{name}[{u}]", error.message())
                return


def _shapes(facts: Facts, scheme: Scheme, out: Collector) -> bool:
    n_u, n_c = len(facts.unit_ids), len(facts.cand_ids)
    n_s, n_b = len(facts.sheet_ids), len(facts.ballot_ids)
    n_sessions, n_j = len(facts.session_ids), len(scheme.indicators)
    width = max(len(c.dimensions) for c in scheme.categories.values())
    cells, bcells, agg = len(facts.cell_cand), len(facts.bcell_cand), len(facts.agg_cand)
    expected = {
        "unit_names": (n_u,), "cand_names": (n_c,), "cand_category": (n_c,), "cand_unit": (n_c,),
        "cand_months": (n_c,), "actual": (n_u, n_j), "plan": (n_u, n_j), "prior": (n_u, n_j),
        "records_on_time": (n_u, len(scheme.records)), "sheet_judge": (n_s,),
        "sheet_judge_unit": (n_s,), "sheet_category": (n_s,), "cell_sheet": (cells,),
        "cell_scores": (cells, width), "session_invited": (n_sessions,),
        "session_issued": (n_sessions,), "session_returned": (n_sessions,),
        "ballot_session": (n_b,), "ballot_group": (n_b,), "bcell_ballot": (bcells,),
        "bcell_grade": (bcells,), "agg_session": (agg,), "agg_group": (agg,), "agg_grade": (agg,),
        "agg_n": (agg,), "bonus_counts": (n_c, len(scheme.bonus_items)),
        "deduction_counts": (n_c, len(scheme.deduction_items)),
    }  # fmt: skip
    good = True
    for name, shape in expected.items():
        value = getattr(facts, name)
        got = tuple(value.shape) if isinstance(value, np.ndarray) else (len(value),)
        if got != shape:
            out.add(f"facts.{name}", f"数组形状应为 {shape}，现为 {got}")
            good = False
        elif isinstance(value, np.ndarray):
            kind = "f" if name in ("actual", "plan", "prior", "cell_scores") else "i"
            if value.dtype.kind != kind:
                out.add(f"facts.{name}", f"数组类型应为{'浮点数' if kind == 'f' else '整数'}")
                good = False
    return good
