"""The engine's own in-memory format on disk (.npz), and its checks.

For districts too large for JSON (a province, the nation) the facts travel as numpy
arrays: `save_arrays` / `load_arrays`. `validate_arrays` checks them with the same
rules as the JSON reader, vectorised, and reports each problem with its location.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any, overload

import numpy as np
from pydantic_core import PydanticCustomError

from sanhao.scoring.codes import CATEGORIES, Category
from sanhao.scoring.facts import Facts
from sanhao.scoring.formats import MAX_COUNT, MAX_MAGNITUDE, MAX_PLACES, PANEL_PLACES, to_decimal
from sanhao.scoring.gcpause import paused_gc
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
    with paused_gc():
        return _load_arrays(path)


def _load_arrays(path: str | Path) -> Facts:
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
        if bad is None:  # `outside` found every value in range
            return
        for row in np.flatnonzero(bad)[:5]:
            out.add(f"{where}[{row}]", message)

    def rows(bad: np.ndarray | None) -> np.ndarray | None:
        return None if bad is None else np.asarray(bad.any(axis=1))

    for name, noun in (("unit_ids", "镇街"), ("cand_ids", "候选对象"), ("sheet_ids", "评分表"),
                       ("session_ids", "测评场次")):  # fmt: skip
        ids = list(getattr(facts, name))
        if len(set(ids)) != len(ids):
            out.add(f"facts.{name}", f"{noun}编号重复")
        if set(map(type, ids)) - {str} or (ids and not 1 <= min(map(len, ids)) <= max(
                map(len, ids)) <= 100):  # fmt: skip
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
    _oversees(facts, len(scheme.indicators), out)
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
    cell_sheet = _within(facts.cell_sheet, n_s)
    cell_cand = _within(facts.cell_cand, n_c)
    sheet_of = facts.sheet_category[cell_sheet] if n_s else np.zeros(0, dtype=np.int8)
    if n_c and len(sheet_of):
        check(facts.cand_category[cell_cand] != sheet_of, "facts.panel.cells",
              "该候选对象不属于评分表的类别")  # fmt: skip
    if not _pairs_unique(facts.cell_sheet, facts.cell_cand, n_c):
        out.add("facts.panel.cells", "同一张评分表对同一候选对象有两行分数")
    fewest = min(len(spec.ballot.grades) for spec in scheme.categories.values())

    def of_category(grade: np.ndarray, cand: np.ndarray, low: int, high: int, key: int
                    ) -> np.ndarray | None:  # fmt: skip
        """The grades out of [low, high] given to candidates of category `key`. The
        candidates' categories are looked up only when some grade is beyond the range
        every category allows (52 M cells at national scale)."""
        if outside(grade, low, fewest - 1) is None:
            return None
        bad = outside(grade, low, high)
        if bad is None or not n_c:
            return None
        return bad & (facts.cand_category[_within(cand, n_c)] == key)

    wrong_cells = _wrong_panel_cells(facts.cell_scores, sheet_of, scheme)
    for key, category in enumerate(CATEGORIES):
        spec = scheme.categories[category]
        for row in wrong_cells[key]:
            out.add(f"facts.panel.{category}.cells[{row}]",
                    f"分数应在 0 到 {spec.panel.dimension_max} 之间，至多 {PANEL_PLACES} 位小数"
                    if spec.panel.mode == "score" else "名次应为 1 到 1000000 的整数")  # fmt: skip
        grades = len(spec.ballot.grades)
        check(of_category(facts.bcell_grade, facts.bcell_cand, -1, grades - 1, key),
              f"facts.ballots.{category}.cells", "未知的等次")  # fmt: skip
        check(of_category(facts.agg_grade, facts.agg_cand, 0, grades - 1, key),
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
        check(rows(outside(getattr(facts, name), 0, 10**12)), f"facts.{name}",
              "次数应为 0 到 10^12 的整数")  # fmt: skip
    for i, events in sorted(facts.vetoes.items())[:100_000]:
        if not 0 <= i < n_c:
            out.add(f"facts.vetoes[{i}]", "未知的候选对象")
        for kind, _note in events:
            if kind not in scheme.veto_kinds:
                out.add(f"facts.vetoes[{i}].kind", f"未知的否决事项：{kind}")
    # One grade per candidate per ballot: (ballot, candidate) pairs are unique.
    if not _pairs_unique(facts.bcell_ballot, facts.bcell_cand, n_c):
        out.add("facts.ballots.cells", "同一张选票对同一候选对象有两个等次")
    return out.problems


CHUNK = 1 << 20  # cells per slice when a pass would otherwise make 400 MB temporaries


def _oversees(facts: Facts, n_ind: int, out: Collector, shown: int = 5) -> None:
    """Every deputy's overseen indicators, all at once: a deputy, known indicators, none
    twice (the JSON reader keeps each once). The first `shown` of each problem, in order."""
    if not facts.oversees:
        return
    where = "facts.candidates.oversees"
    if not all(map(_is_index, facts.oversees)):
        out.add(where, "候选对象应以序号表示")
        return
    owners = sorted(facts.oversees)
    lists = [facts.oversees[i] for i in owners]
    if not all(isinstance(c, tuple | list) for c in lists) or not all(
        map(_is_index, chain.from_iterable(lists))
    ):
        out.add(where, "分管指标应为指标序号的列表")
        return
    who = np.array(owners, dtype=np.int64)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    chosen = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))
    row = np.repeat(np.arange(len(who)), lengths)
    n_c = len(facts.cand_category)
    known = (who >= 0) & (who < n_c)
    not_deputy = ~known
    not_deputy[known] = facts.cand_category[who[known]] != Category.DEPUTY.ordinal
    wrong = (chosen < 0) | (chosen >= n_ind)
    unknown = np.bincount(row[wrong], minlength=len(who)) > 0
    pairs = np.sort(row[~wrong] * max(n_ind, 1) + chosen[~wrong])
    twice = np.zeros(len(who), dtype=bool)
    twice[pairs[1:][pairs[1:] == pairs[:-1]] // max(n_ind, 1)] = True
    for bad, message in ((not_deputy, "只有好班副（deputy）有分管指标"), (unknown, "未知的指标"),
                         (twice & ~not_deputy & ~unknown, "分管指标重复")):  # fmt: skip
        for at in np.flatnonzero(bad)[:shown].tolist():
            out.add(f"{where}[{owners[at]}]", message)


def _is_index(value: Any) -> bool:
    """An int or a numpy integer, not a bool."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def outside(values: np.ndarray, low: int, high: int) -> np.ndarray | None:
    """Where `values` are outside [low, high]; None when none is (a min and a max: no
    temporary as large as the array, which at national scale is 52 M cells)."""
    if not values.size or (values.min() >= low and values.max() <= high):
        return None
    return (values < low) | (values > high)


def _within(refs: np.ndarray, n: int) -> np.ndarray:
    """References clipped to [0, n − 1] so that the other rules can look them up (those
    outside are reported by their own rule); the array itself when all are inside."""
    return refs if outside(refs, 0, n - 1) is None else np.clip(refs, 0, max(n - 1, 0))


def _pairs_unique(major: np.ndarray, minor: np.ndarray, n_minor: int) -> bool:
    """Whether no (major, minor) pair occurs twice. Cells come sheet by sheet and ballot by
    ballot, so the pairs are usually strictly increasing: checked slice by slice, in one
    pass; otherwise sorted (numpy's `unique` hashes, several times slower on 52 M ints)."""
    n = len(major)
    ordered = True
    for start in range(0, max(n - 1, 0), CHUNK):
        stop = min(n, start + CHUNK + 1)  # one cell of overlap: the pair across the cut
        key = major[start:stop].astype(np.int64)
        key *= max(n_minor, 1)
        key += minor[start:stop]
        if not (key[1:] > key[:-1]).all():
            ordered = False
            break
    if ordered:
        return True
    key = major.astype(np.int64) * max(n_minor, 1) + minor
    key.sort()
    return bool((key[1:] != key[:-1]).all())


def _wrong_panel_cells(scores: np.ndarray, category: np.ndarray, scheme: Scheme,
                       shown: int = 5) -> list[list[int]]:  # fmt: skip
    """Per category, the first `shown` cells (counted among all cells) whose scores break
    the category's rule: in score mode each of its dimensions in [0, max] with at most
    PANEL_PLACES decimals, in rank mode a whole rank in [1, 10^6]. Slice by slice and
    column by column: at national scale a whole-array test makes 150 MB temporaries, and a
    reduction over the short axis of dimensions is many times slower than a loop over it."""
    found: list[list[int]] = [[] for _ in CATEGORIES]
    unit = 10**PANEL_PLACES
    for start in range(0, len(category), CHUNK):
        cats = category[start : start + CHUNK]
        block = scores[start : start + CHUNK]
        for key in np.unique(cats).tolist():  # cells come sheet by sheet: usually one
            if not 0 <= key < len(CATEGORIES) or len(found[key]) >= shown:
                continue  # an unknown category is reported by its own rule
            spec = scheme.categories[CATEGORIES[key]]
            rows = None if cats.min() == cats.max() else np.flatnonzero(cats == key)
            mine = block if rows is None else block[rows]
            if spec.panel.mode == "score":
                wrong = np.zeros(len(mine), dtype=bool)
                top = float(spec.panel.dimension_max)
                for d in range(len(spec.dimensions)):
                    column = mine[:, d]
                    wrong |= ~((column >= 0) & (column <= top))
                    scaled = column * unit
                    wrong |= np.abs(scaled - np.round(scaled)) > 1e-6
            else:
                ranks = mine[:, 0]
                wrong = ~((ranks >= 1) & (ranks <= 10**6) & (ranks == np.round(ranks)))
            at = np.flatnonzero(wrong)[: shown - len(found[key])]
            found[key] += (start + (at if rows is None else rows[at])).tolist()
    return found


def _exact_inputs(facts: Facts, out: Collector) -> None:
    """The exact indicator values: one per unit and indicator, bounded like the JSON's."""
    n_u, n_j = facts.actual.shape
    if len(facts.ind_exact) != n_u * n_j:
        out.add("facts.indicators", "精确数值应为每个镇街的每个指标各一组")
        return
    if not all(0 <= u < n_u and 0 <= j < n_j for u, j in facts.ind_exact):
        out.add("facts.indicators", "精确数值应为每个镇街的每个指标各一组")
        return
    if all(map(_plainly_bounded, chain.from_iterable(facts.ind_exact.values()))):
        return
    for (u, _j), values in facts.ind_exact.items():  # the first value refused, and where
        for name, value in zip(("actual", "plan", "prior"), values, strict=True):
            try:
                to_decimal(value)
            except PydanticCustomError as error:
                out.add(f"facts.indicators.{name}[{u}]", error.message())
                return


def _plainly_bounded(value: Any) -> bool:
    """A Decimal that `to_decimal` accepts as it is, told without normalising it (a
    quarter of the time): finite, at most MAX_PLACES places as written (normalising only
    takes places away) and under 10^15. Anything else goes through `to_decimal`."""
    if type(value) is not Decimal or not value.is_finite():
        return False
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -MAX_PLACES and (
        not value or value.adjusted() < 15)  # fmt: skip


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
    for name in ("cell_cand", "bcell_cand", "agg_cand"):  # their lengths set the shapes above
        value = getattr(facts, name)
        if not isinstance(value, np.ndarray) or value.ndim != 1:
            out.add(f"facts.{name}", "应为一维数组")
            good = False
        elif not (value.dtype.kind == "i" or (value.dtype.kind == "u" and value.itemsize <= 4)):
            out.add(f"facts.{name}", "数组类型应为整数")
            good = False
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
