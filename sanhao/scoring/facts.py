"""The facts of one campaign year, read from JSON and held as numpy arrays.

`load_facts(path, scheme)` checks everything against the scheme and reports every
problem with its location (`facts.ballots[17].grades.c042: 未知的等次 "优"`). The
arrays are what the engine computes on; a benchmark may build them directly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from sanhao.scoring.problems import Collector
from sanhao.scoring.scheme import CATEGORIES, Scheme, to_decimal


@dataclass
class Facts:
    year: int
    unit_ids: list[str]
    unit_names: list[str]
    cand_ids: list[str]
    cand_names: list[str]
    cand_category: np.ndarray  # int8: index into CATEGORIES
    cand_unit: np.ndarray  # int32
    cand_months: np.ndarray  # int16 months in post during the year
    oversees: dict[int, tuple[int, ...]]  # deputy → indicator indices (empty: the unit's K)
    # indicators, shape (units, indicators); actual/plan/prior as floats, exact in `ind_exact`
    actual: np.ndarray
    plan: np.ndarray
    prior: np.ndarray
    ind_exact: dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]]
    # process records: on-time count per (unit, record type), capped at expected
    records_on_time: np.ndarray  # int32 (units, types)
    records_detail: dict[tuple[int, int], tuple[list[int], list[int]]]  # (missing, late) periods
    # panel score sheets: one row per (sheet, candidate) cell
    sheet_ids: list[str]
    sheet_judge: list[str]
    sheet_judge_unit: np.ndarray  # int32, -1 when the judge has no unit
    sheet_category: np.ndarray  # int8
    cell_sheet: np.ndarray  # int32
    cell_cand: np.ndarray  # int32
    cell_scores: np.ndarray  # float64 (cells, dimensions); rank mode: (cells, 1) ranks
    # ballots: one row per (ballot, candidate) cell; grade index, -1 = abstain
    session_ids: list[str]
    session_invited: np.ndarray  # int64
    session_issued: np.ndarray  # int64
    session_returned: np.ndarray  # int64
    ballot_ids: Sequence[str]
    ballot_session: np.ndarray  # int32
    ballot_group: np.ndarray  # int8 index into the category's groups (same for all)
    bcell_ballot: np.ndarray  # int32
    bcell_cand: np.ndarray  # int32
    bcell_grade: np.ndarray  # int8
    # aggregated grade counts, added to the counted ballots: one row per (session,
    # candidate, group, grade) with its number of grades
    agg_session: np.ndarray  # int32
    agg_cand: np.ndarray  # int32
    agg_group: np.ndarray  # int8
    agg_grade: np.ndarray  # int8
    agg_n: np.ndarray  # int64
    # bonus, deduction and veto events
    bonus_counts: np.ndarray  # int64 (candidates, bonus items)
    deduction_counts: np.ndarray  # int64 (candidates, deduction items)
    vetoes: dict[int, list[tuple[str, str]]]  # candidate → [(kind, note)]
    input_hash: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def n_candidates(self) -> int:
        return len(self.cand_ids)


def load_facts(path: str | Path, scheme: Scheme) -> Facts:
    raw = Path(path).read_bytes()
    out = Collector()
    try:
        data = json.loads(raw, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        out.add("facts", f"不是有效的 JSON 文件：{error}")
        out.raise_if_any()
        raise AssertionError from None
    facts = parse_facts(data, scheme, out)
    out.raise_if_any()
    facts.input_hash = hashlib.sha256(raw + scheme.source_hash.encode()).hexdigest()
    return facts


def _list(data: dict[str, Any], key: str, out: Collector) -> list[tuple[str, dict[str, Any]]]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        out.add(f"facts.{key}", "应为列表")
        return []
    rows = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            out.add(f"facts.{key}[{i}]", "应为对象")
            continue
        rows.append((f"facts.{key}[{i}]", entry))
    return rows


def _text(entry: dict[str, Any], key: str) -> str:
    """A reference to another record, as text ("" when absent: then unknown everywhere)."""
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def _new_id(entry: dict[str, Any], where: str, seen: Any, noun: str, out: Collector) -> str:
    """The record's id; reports it when missing or already in `seen` (a set or a dict)."""
    key = str(entry.get("id", ""))
    if not key:
        out.add(f"{where}.id", f"缺少{noun}编号")
    elif key in seen:
        out.add(f"{where}.id", f"{noun}编号重复：{key}")
    return key


def _number(entry: dict[str, Any], key: str, where: str, out: Collector,
            *, required: bool = True) -> Decimal | None:  # fmt: skip
    if key not in entry or entry[key] is None:
        if required:
            out.add(f"{where}.{key}", "缺少数值")
        return None
    value = to_decimal(entry[key])
    if value is None:
        out.add(f"{where}.{key}", f"不是数字：{entry[key]!r}")
    return value


def _count(entry: dict[str, Any], key: str, where: str, out: Collector, default: int = 0) -> int:
    raw = entry.get(key, default)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        out.add(f"{where}.{key}", f"应为不小于 0 的整数：{raw!r}")
        return 0
    return raw


def parse_facts(data: dict[str, Any], scheme: Scheme, out: Collector) -> Facts:
    if not isinstance(data, dict):
        out.add("facts", "应为 JSON 对象")
        data = {}
    units: dict[str, int] = {}
    unit_names = []
    for where, entry in _list(data, "units", out):
        key = _new_id(entry, where, units, "镇街", out)
        units[key] = len(units)
        unit_names.append(str(entry.get("name", key)))
    cands: dict[str, int] = {}
    names, category, unit_of, months = [], [], [], []
    oversees: dict[int, tuple[int, ...]] = {}
    ind_index = {ind.id: j for j, ind in enumerate(scheme.indicators)}
    for where, entry in _list(data, "candidates", out):
        key = _new_id(entry, where, cands, "候选对象", out)
        cat = entry.get("category")
        if cat not in CATEGORIES:
            out.add(f"{where}.category", f"未知的类别：{cat!r}（应为 team / leader / deputy）")
            cat = "team"
        unit = _text(entry, "unit")
        if unit not in units:
            out.add(f"{where}.unit", f"未知的镇街：{unit!r}")
        index = len(cands)
        cands[key] = index
        names.append(str(entry.get("name", key)))
        category.append(CATEGORIES.index(cat))
        unit_of.append(units.get(unit, 0))
        months.append(_count(entry, "months_in_post", where, out, 12))
        overseen = []
        for k, ind in enumerate(entry.get("oversees", []) or []):
            if ind not in ind_index:
                out.add(f"{where}.oversees[{k}]", f"未知的指标：{ind!r}")
            else:
                overseen.append(ind_index[ind])
        if overseen:
            oversees[index] = tuple(sorted(set(overseen)))

    n_u, n_j, n_c = len(units), len(scheme.indicators), len(cands)
    actual = np.full((n_u, n_j), np.nan)
    plan = np.full((n_u, n_j), np.nan)
    prior = np.full((n_u, n_j), np.nan)
    exact: dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]] = {}
    for where, entry in _list(data, "indicators", out):
        u, j = units.get(_text(entry, "unit")), ind_index.get(_text(entry, "indicator"))
        if u is None:
            out.add(f"{where}.unit", f"未知的镇街：{entry.get('unit')!r}")
        if j is None:
            out.add(f"{where}.indicator", f"未知的指标：{entry.get('indicator')!r}")
        a = _number(entry, "actual", where, out)
        p = _number(entry, "plan", where, out)
        y = _number(entry, "prior", where, out)
        if p is not None and p <= 0:
            out.add(f"{where}.plan", f"年度计划应大于 0：{p}")
        if a is not None and a < 0:
            out.add(f"{where}.actual", f"实际完成不能为负：{a}")
        if u is None or j is None or a is None or p is None or y is None:
            continue
        if (u, j) in exact:
            out.add(where, "同一镇街同一指标重复填报")
        exact[(u, j)] = (a, p, y)
        actual[u, j], plan[u, j], prior[u, j] = float(a), float(p), float(y)
    for uid, u in units.items():
        for ind in scheme.indicators:
            if (u, ind_index[ind.id]) not in exact:
                out.add("facts.indicators", f"缺少 {uid} 的指标 {ind.id}（实际、计划、上年）")

    types = {r.type: k for k, r in enumerate(scheme.records)}
    held: dict[tuple[int, int], dict[int, bool]] = {}
    for where, entry in _list(data, "records", out):
        u, kind = units.get(_text(entry, "unit")), types.get(_text(entry, "type"))
        if u is None:
            out.add(f"{where}.unit", f"未知的镇街：{entry.get('unit')!r}")
        if kind is None:
            out.add(f"{where}.type", f"未知的记录类型：{entry.get('type')!r}")
        period = entry.get("period")
        if u is None or kind is None:
            continue
        expected = scheme.records[kind].expected
        if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= expected:
            out.add(f"{where}.period", f"期次应为 1 到 {expected} 的整数：{period!r}")
            continue
        # A period reported twice counts once, on time if any report was on time.
        periods = held.setdefault((u, kind), {})
        periods[period] = periods.get(period, False) or bool(entry.get("on_time", True))
    on_time = np.zeros((n_u, len(types)), dtype=np.int32)
    detail: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    for u in range(n_u):
        for k, record in enumerate(scheme.records):
            periods = held.get((u, k), {})
            on_time[u, k] = sum(1 for ok in periods.values() if ok)
            missing = [p for p in range(1, record.expected + 1) if p not in periods]
            late = sorted(p for p, ok in periods.items() if not ok)
            if missing or late:
                detail[(u, k)] = (missing, late)

    sheets = _panel(data, scheme, cands, units, category, out)
    ballots = _ballots(data, scheme, cands, category, out)
    bonus = _events(data, "bonuses", scheme.bonus_items, cands, out)
    deduction = _events(data, "deductions", scheme.deduction_items, cands, out)
    vetoes: dict[int, list[tuple[str, str]]] = {}
    for where, entry in _list(data, "vetoes", out):
        kind = entry.get("kind")
        if kind not in scheme.veto_kinds:
            out.add(f"{where}.kind", f"未知的否决事项：{kind!r}")
        note = str(entry.get("note", ""))
        if "unit" in entry:
            u = units.get(entry["unit"])
            if u is None:
                out.add(f"{where}.unit", f"未知的镇街：{entry['unit']!r}")
                continue
            # An event on a unit applies to its team and its leader.
            for i in range(n_c):
                if unit_of[i] == u and category[i] in (0, 1):
                    vetoes.setdefault(i, []).append((str(kind), note))
        elif entry.get("candidate") in cands:
            vetoes.setdefault(cands[entry["candidate"]], []).append((str(kind), note))
        else:
            out.add(f"{where}.candidate", f"未知的候选对象：{entry.get('candidate')!r}")

    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        out.add("facts.year", f"应为年份：{year!r}")
        year = 0
    return Facts(
        year=year, unit_ids=list(units), unit_names=unit_names, cand_ids=list(cands),
        cand_names=names, cand_category=np.array(category, dtype=np.int8),
        cand_unit=np.array(unit_of, dtype=np.int32), cand_months=np.array(months, dtype=np.int16),
        oversees=oversees, actual=actual, plan=plan, prior=prior, ind_exact=exact,
        records_on_time=np.minimum(on_time, [r.expected for r in scheme.records]).astype(np.int32)
        if scheme.records else on_time,
        records_detail=detail, **sheets, **ballots, bonus_counts=bonus, deduction_counts=deduction,
        vetoes=vetoes,
    )  # fmt: skip


def _panel(data: dict[str, Any], scheme: Scheme, cands: dict[str, int], units: dict[str, int],
           category: list[int], out: Collector) -> dict[str, Any]:  # fmt: skip
    ids: list[str] = []
    judges: list[str] = []
    judge_units: list[int] = []
    cats: list[int] = []
    cell_sheet, cell_cand, cell_scores = [], [], []
    seen: set[str] = set()
    width = max((len(c.dimensions) for c in scheme.categories.values()), default=1)
    for where, entry in _list(data, "panel", out):
        key = _new_id(entry, where, seen, "评分表", out)
        seen.add(key)
        cat = entry.get("category")
        if cat not in scheme.categories:
            out.add(f"{where}.category", f"未知的类别：{cat!r}")
            continue
        spec = scheme.categories[cat]
        judge_unit = entry.get("judge_unit")
        if judge_unit is not None and judge_unit not in units:
            out.add(f"{where}.judge_unit", f"未知的镇街：{judge_unit!r}")
        s = len(ids)
        ids.append(key)
        judges.append(str(entry.get("judge", key)))
        judge_units.append(units.get(judge_unit, -1) if judge_unit is not None else -1)
        cats.append(CATEGORIES.index(cat))
        rank_mode = spec.panel.mode == "rank"
        field_name = "ranks" if rank_mode else "scores"
        cells = entry.get(field_name)
        if not isinstance(cells, dict):
            out.add(f"{where}.{field_name}", "应为 {候选对象: 分数} 的对象")
            continue
        for cand, value in cells.items():
            at = f"{where}.{field_name}.{cand}"
            if cand not in cands:
                out.add(at, f"未知的候选对象：{cand!r}")
                continue
            if category[cands[cand]] != CATEGORIES.index(cat):
                out.add(at, f"该候选对象不属于类别 {cat}")
                continue
            if rank_mode:
                rank = value if isinstance(value, int) and not isinstance(value, bool) else None
                if rank is None or rank < 1:
                    out.add(at, f"名次应为不小于 1 的整数：{value!r}")
                    continue
                row = [float(rank)] + [np.nan] * (width - 1)
            else:
                if not isinstance(value, list) or len(value) != len(spec.dimensions):
                    out.add(at, f"应为 {len(spec.dimensions)} 个维度的分数")
                    continue
                row = []
                for d, score in enumerate(value):
                    number = to_decimal(score)
                    if number is None:
                        out.add(f"{at}[{d}]", f"不是数字：{score!r}")
                        number = Decimal(0)
                    elif not 0 <= number <= spec.panel.dimension_max:
                        out.add(
                            f"{at}[{d}]", f"分数应在 0 到 {spec.panel.dimension_max} 之间：{number}"
                        )
                    row.append(float(number))
                row += [np.nan] * (width - len(row))
            cell_sheet.append(s)
            cell_cand.append(cands[cand])
            cell_scores.append(row)
    return {
        "sheet_ids": ids, "sheet_judge": judges,
        "sheet_judge_unit": np.array(judge_units, dtype=np.int32),
        "sheet_category": np.array(cats, dtype=np.int8),
        "cell_sheet": np.array(cell_sheet, dtype=np.int32),
        "cell_cand": np.array(cell_cand, dtype=np.int32),
        "cell_scores": np.array(cell_scores, dtype=np.float64).reshape(len(cell_sheet), width),
    }  # fmt: skip


def _ballots(data: dict[str, Any], scheme: Scheme, cands: dict[str, int], category: list[int],
             out: Collector) -> dict[str, Any]:  # fmt: skip
    specs = [scheme.categories[c].ballot for c in CATEGORIES if c in scheme.categories]
    groups = specs[0].groups if specs else ()
    for spec in specs[1:]:
        if spec.groups != groups:
            out.add("scheme.categories", "各类别的投票人类别应相同")
    group_index = {g: k for k, g in enumerate(groups)}
    grade_index = [
        {g: k for k, g in enumerate(scheme.categories[c].ballot.grades)} for c in CATEGORIES
        if c in scheme.categories
    ]  # fmt: skip
    abstain = [scheme.categories[c].ballot.abstain for c in CATEGORIES if c in scheme.categories]
    sessions: dict[str, int] = {}
    invited, issued, returned_given = [], [], []
    for where, entry in _list(data, "sessions", out):
        key = _new_id(entry, where, sessions, "测评场次", out)
        sessions[key] = len(sessions)
        invited.append(_count(entry, "invited", where, out))
        issued.append(_count(entry, "issued", where, out, invited[-1]))
        returned_given.append(_count(entry, "returned", where, out) if "returned" in entry else -1)
    ballot_ids: list[str] = []
    b_session: list[int] = []
    b_group: list[int] = []
    c_ballot, c_cand, c_grade = [], [], []
    seen: set[str] = set()
    for where, entry in _list(data, "ballots", out):
        key = _new_id(entry, where, seen, "选票", out)
        seen.add(key)
        session, group = (
            sessions.get(_text(entry, "session")),
            group_index.get(_text(entry, "group")),
        )
        if session is None:
            out.add(f"{where}.session", f"未知的测评场次：{entry.get('session')!r}")
        if group is None:
            out.add(f"{where}.group", f"未知的投票人类别：{entry.get('group')!r}")
        grades = entry.get("grades")
        if not isinstance(grades, dict):
            out.add(f"{where}.grades", "应为 {候选对象: 等次} 的对象")
            continue
        b = len(ballot_ids)
        ballot_ids.append(key)
        b_session.append(session if session is not None else 0)
        b_group.append(group if group is not None else 0)
        for cand, grade in grades.items():
            at = f"{where}.grades.{cand}"
            if cand not in cands:
                out.add(at, f"未知的候选对象：{cand!r}")
                continue
            i = cands[cand]
            k = category[i]
            if grade == abstain[k]:
                code = -1
            elif grade in grade_index[k]:
                code = grade_index[k][grade]
            else:
                out.add(at, f"未知的等次 {json.dumps(grade, ensure_ascii=False)}")
                continue
            c_ballot.append(b)
            c_cand.append(i)
            c_grade.append(code)
    agg: list[tuple[int, int, int, int, int]] = []
    for where, entry in _list(data, "ballot_counts", out):
        session, group = (
            sessions.get(_text(entry, "session")),
            group_index.get(_text(entry, "group")),
        )
        cand = entry.get("candidate")
        if session is None:
            out.add(f"{where}.session", f"未知的测评场次：{entry.get('session')!r}")
        if group is None:
            out.add(f"{where}.group", f"未知的投票人类别：{entry.get('group')!r}")
        if cand not in cands:
            out.add(f"{where}.candidate", f"未知的候选对象：{cand!r}")
        counts = entry.get("counts")
        if not isinstance(counts, dict):
            out.add(f"{where}.counts", "应为 {等次: 票数} 的对象")
            continue
        if session is None or group is None or cand not in cands:
            continue
        k = category[cands[cand]]
        for grade, n in counts.items():
            if grade == abstain[k]:
                continue
            if grade not in grade_index[k]:
                out.add(
                    f"{where}.counts.{grade}", f"未知的等次 {json.dumps(grade, ensure_ascii=False)}"
                )
                continue
            n = _count(counts, grade, f"{where}.counts", out)
            agg.append((session, cands[cand], group, grade_index[k][grade], n))
    b_session_arr = np.array(b_session, dtype=np.int32)
    counted = np.bincount(b_session_arr, minlength=len(sessions)) if len(sessions) else np.zeros(0)
    returned = np.array(
        [given if given >= 0 else int(counted[s]) for s, given in enumerate(returned_given)],
        dtype=np.int64,
    )
    return {
        "session_ids": list(sessions), "session_invited": np.array(invited, dtype=np.int64),
        "session_issued": np.array(issued, dtype=np.int64), "session_returned": returned,
        "ballot_ids": ballot_ids, "ballot_session": b_session_arr,
        "ballot_group": np.array(b_group, dtype=np.int8),
        "bcell_ballot": np.array(c_ballot, dtype=np.int32),
        "bcell_cand": np.array(c_cand, dtype=np.int32),
        "bcell_grade": np.array(c_grade, dtype=np.int8),
        **_agg_arrays(agg),
    }  # fmt: skip


def _agg_arrays(rows: list[tuple[int, int, int, int, int]]) -> dict[str, np.ndarray]:
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 5)
    return {
        "agg_session": table[:, 0].astype(np.int32), "agg_cand": table[:, 1].astype(np.int32),
        "agg_group": table[:, 2].astype(np.int8), "agg_grade": table[:, 3].astype(np.int8),
        "agg_n": table[:, 4],
    }  # fmt: skip


def _events(data: dict[str, Any], key: str, items: tuple[Any, ...], cands: dict[str, int],
            out: Collector) -> np.ndarray:  # fmt: skip
    index = {item.id: m for m, item in enumerate(items)}
    counts = np.zeros((len(cands), len(items)), dtype=np.int64)
    for where, entry in _list(data, key, out):
        cand, item = entry.get("candidate"), entry.get("item")
        if cand not in cands:
            out.add(f"{where}.candidate", f"未知的候选对象：{cand!r}")
        if item not in index:
            out.add(f"{where}.item", f"未知的事项：{item!r}")
        n = _count(entry, "count", where, out, 1)
        if cand in cands and item in index:
            counts[cands[cand], index[item]] += n
    return counts
