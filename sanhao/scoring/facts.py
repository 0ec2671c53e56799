"""The facts of one campaign year, read from JSON (or a dict) and held as numpy arrays.

`load_facts(path, scheme)` and `parse_facts(data, scheme)` check the document in two
rounds: its shape against the typed model of `formats.py` (one message per wrong field),
then, when the shape is right, every reference against the scheme and the document itself
(`facts.ballots[17].grades.c042: 未知的等次 "优"`). The arrays are what the engine computes
on; a benchmark may build them directly (then `arrays.validate_arrays` checks them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from sanhao.scoring.codes import CATEGORIES, Category
from sanhao.scoring.formats import FactsDocument, canonical_json, problems_of, shown
from sanhao.scoring.problems import Collector, InvalidInput, Problem
from sanhao.scoring.scheme import Scheme


@dataclass
class Facts:
    year: int
    unit_ids: list[str]
    unit_names: list[str]
    cand_ids: list[str]
    cand_names: list[str]
    cand_category: np.ndarray  # int8: Category.ordinal
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
    ballot_group: np.ndarray  # int8 index into the scheme's voter groups
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
    checked: str = ""  # the scheme hash these facts were checked against ("" = not yet)

    @property
    def n_candidates(self) -> int:
        return len(self.cand_ids)


def _no_constants(name: str) -> float:
    return float(name)  # NaN and Infinity reach the model, which refuses them with their place


def read_json(raw: bytes, root: str) -> Any:
    """JSON with exact decimals; a file that is not JSON is one problem, never a traceback."""
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError too
        message = error.msg if isinstance(error, json.JSONDecodeError) else "无法读取"
        where = f"（第 {error.lineno} 行第 {error.colno} 列）" if isinstance(
            error, json.JSONDecodeError) else ""  # fmt: skip
        raise InvalidInput([Problem(root, f"不是有效的 JSON 文件{where}：{message}")]) from None


def load_facts(path: str | Path, scheme: Scheme) -> Facts:
    return parse_facts(read_json(Path(path).read_bytes(), "facts"), scheme)


def input_hash(data: Any, scheme: Scheme) -> str:
    """SHA-256 of the facts' canonical JSON and the scheme's hash: a file and the same
    document as a dict give the same hash."""
    text = canonical_json(data) + "\n" + scheme.source_hash
    return hashlib.sha256(text.encode()).hexdigest()


def parse_facts(data: Any, scheme: Scheme) -> Facts:
    """The facts from their document; raises InvalidInput with every problem."""
    if not isinstance(data, Mapping):
        raise InvalidInput([Problem("facts", f"应为 JSON 对象，现为 {shown(data)}")])
    try:
        doc = FactsDocument.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidInput(problems_of(error, "facts")) from None
    out = Collector()
    facts = _build(doc, scheme, out)
    out.raise_if_any()
    facts.input_hash = input_hash(data, scheme)
    facts.checked = scheme.source_hash
    return facts


def _ids(rows: Sequence[Any], where: str, noun: str, out: Collector) -> dict[str, int]:
    index: dict[str, int] = {}
    for k, row in enumerate(rows):
        if row.id in index:
            out.add(f"{where}[{k}].id", f"{noun}编号重复：{row.id}")
        else:
            index[row.id] = k
    return index


def _unknown(noun: str, value: str) -> str:
    return f"未知的{noun}：{shown(value)}"


def _build(doc: FactsDocument, scheme: Scheme, out: Collector) -> Facts:
    units = _ids(doc.units, "facts.units", "镇街", out)
    cands = _ids(doc.candidates, "facts.candidates", "候选对象", out)
    ind_index = {ind.id: j for j, ind in enumerate(scheme.indicators)}
    category = [Category(c.category).ordinal for c in doc.candidates]
    unit_of = []
    oversees: dict[int, tuple[int, ...]] = {}
    for i, c in enumerate(doc.candidates):
        where = f"facts.candidates[{i}]"
        if c.unit not in units:
            out.add(f"{where}.unit", _unknown("镇街", c.unit))
        unit_of.append(units.get(c.unit, 0))
        if c.oversees and c.category != Category.DEPUTY:
            out.add(f"{where}.oversees", "只有好班副（deputy）有分管指标")
        overseen = []
        for k, ind in enumerate(c.oversees or ()):
            if ind not in ind_index:
                out.add(f"{where}.oversees[{k}]", _unknown("指标", ind))
            else:
                overseen.append(ind_index[ind])
        if overseen:
            oversees[i] = tuple(sorted(set(overseen)))

    n_u, n_j, n_c = len(doc.units), len(scheme.indicators), len(doc.candidates)
    actual = np.full((n_u, n_j), np.nan)
    plan = np.full((n_u, n_j), np.nan)
    prior = np.full((n_u, n_j), np.nan)
    exact: dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]] = {}
    for k, row in enumerate(doc.indicators):
        where = f"facts.indicators[{k}]"
        u, j = units.get(row.unit), ind_index.get(row.indicator)
        if u is None:
            out.add(f"{where}.unit", _unknown("镇街", row.unit))
        if j is None:
            out.add(f"{where}.indicator", _unknown("指标", row.indicator))
        if u is None or j is None:
            continue
        if (u, j) in exact:
            out.add(where, f"{row.unit} 的指标 {row.indicator} 重复填报")
        exact[(u, j)] = (row.actual, row.plan, row.prior)
        actual[u, j], plan[u, j], prior[u, j] = float(row.actual), float(row.plan), float(row.prior)
    for uid, u in units.items():
        for indicator in scheme.indicators:
            if (u, ind_index[indicator.id]) not in exact:
                out.add("facts.indicators", f"缺少 {uid} 的指标 {indicator.id}（实际、计划、上年）")

    types = {r.type: k for k, r in enumerate(scheme.records)}
    held: dict[tuple[int, int], dict[int, bool]] = {}
    for k, rec in enumerate(doc.records):
        where = f"facts.records[{k}]"
        u, kind = units.get(rec.unit), types.get(rec.type)
        if u is None:
            out.add(f"{where}.unit", _unknown("镇街", rec.unit))
        if kind is None:
            out.add(f"{where}.type", _unknown("记录类型", rec.type))
        if u is None or kind is None:
            continue
        expected = scheme.records[kind].expected
        if rec.period > expected:
            out.add(f"{where}.period", f"期次应为 1 到 {expected}，现为 {rec.period}")
            continue
        # A period reported twice counts once, on time if any report was on time (§1).
        periods = held.setdefault((u, kind), {})
        periods[rec.period] = periods.get(rec.period, False) or rec.on_time
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

    sheets = _panel(doc, scheme, cands, units, category, out)
    ballots = _ballots(doc, scheme, cands, category, out)
    bonus = _events(doc.bonuses, "bonuses", scheme.bonus_items, cands, out)
    deduction = _events(doc.deductions, "deductions", scheme.deduction_items, cands, out)
    vetoes: dict[int, list[tuple[str, str]]] = {}
    people = (Category.TEAM.ordinal, Category.LEADER.ordinal)
    for k, veto in enumerate(doc.vetoes):
        where = f"facts.vetoes[{k}]"
        if veto.kind not in scheme.veto_kinds:
            out.add(f"{where}.kind", _unknown("否决事项", veto.kind))
        if veto.unit is not None:
            u = units.get(veto.unit)
            if u is None:
                out.add(f"{where}.unit", _unknown("镇街", veto.unit))
                continue
            # An event on a unit applies to its team and its leader (§0).
            for i in range(n_c):
                if unit_of[i] == u and category[i] in people:
                    vetoes.setdefault(i, []).append((veto.kind, veto.note))
        elif veto.candidate in cands:
            vetoes.setdefault(cands[veto.candidate], []).append((veto.kind, veto.note))
        else:
            out.add(f"{where}.candidate", _unknown("候选对象", str(veto.candidate)))
    expected_counts = [r.expected for r in scheme.records]
    return Facts(
        year=doc.year, unit_ids=[x.id for x in doc.units],
        unit_names=[x.name or x.id for x in doc.units], cand_ids=[c.id for c in doc.candidates],
        cand_names=[c.name or c.id for c in doc.candidates],
        cand_category=np.array(category, dtype=np.int8),
        cand_unit=np.array(unit_of, dtype=np.int32),
        cand_months=np.array([c.months_in_post for c in doc.candidates], dtype=np.int16),
        oversees=oversees, actual=actual, plan=plan, prior=prior, ind_exact=exact,
        records_on_time=np.minimum(on_time, expected_counts).astype(np.int32)
        if scheme.records else on_time,
        records_detail=detail, **sheets, **ballots, bonus_counts=bonus, deduction_counts=deduction,
        vetoes=vetoes,
    )  # fmt: skip


def _panel(doc: FactsDocument, scheme: Scheme, cands: dict[str, int], units: dict[str, int],
           category: list[int], out: Collector) -> dict[str, Any]:  # fmt: skip
    ids: list[str] = []
    judges: list[str] = []
    judge_units: list[int] = []
    cats: list[int] = []
    cell_sheet, cell_cand, cell_scores = [], [], []
    seen: set[str] = set()
    width = max(len(c.dimensions) for c in scheme.categories.values())
    for k, sheet in enumerate(doc.panel):
        where = f"facts.panel[{k}]"
        if sheet.id in seen:
            out.add(f"{where}.id", f"评分表编号重复：{sheet.id}")
        seen.add(sheet.id)
        key = Category(sheet.category)
        spec = scheme.categories[key]
        if sheet.judge_unit is not None and sheet.judge_unit not in units:
            out.add(f"{where}.judge_unit", _unknown("镇街", sheet.judge_unit))
        s = len(ids)
        ids.append(sheet.id)
        judges.append(sheet.judge or sheet.id)
        judge_units.append(units.get(sheet.judge_unit, -1) if sheet.judge_unit else -1)
        cats.append(key.ordinal)
        rank_mode = spec.panel.mode == "rank"
        name, other = ("ranks", "scores") if rank_mode else ("scores", "ranks")
        cells: Mapping[str, Any] | None = sheet.ranks if rank_mode else sheet.scores
        if cells is None or getattr(sheet, other) is not None:
            mode = "名次制" if rank_mode else "打分制"
            out.add(
                f"{where}.{name}", f"本方案的{spec.name}述职评价为{mode}，应填写 {name}（且只填它）"
            )
            continue
        for cand, value in cells.items():
            at = f"{where}.{name}.{cand}"
            if cand not in cands:
                out.add(at, _unknown("候选对象", cand))
                continue
            if category[cands[cand]] != key.ordinal:
                out.add(at, f"该候选对象不属于类别 {key.value}")
                continue
            if rank_mode:
                row = [float(value)] + [np.nan] * (width - 1)
            else:
                if len(value) != len(spec.dimensions):
                    out.add(at, f"应为 {len(spec.dimensions)} 个维度的分数，现为 {len(value)} 个")
                    continue
                row = []
                for d, score in enumerate(value):
                    if score > spec.panel.dimension_max:
                        out.add(f"{at}[{d}]",
                                f"分数应在 0 到 {spec.panel.dimension_max} 之间，现为 {score}")  # fmt: skip
                    row.append(float(score))
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


def _ballots(doc: FactsDocument, scheme: Scheme, cands: dict[str, int], category: list[int],
             out: Collector) -> dict[str, Any]:  # fmt: skip
    group_index = {g: k for k, g in enumerate(scheme.groups)}
    rules = [scheme.categories[c].ballot for c in CATEGORIES]
    grade_index = [{g: k for k, g in enumerate(b.grades)} for b in rules]
    abstain = [b.abstain for b in rules]
    sessions = _ids(doc.sessions, "facts.sessions", "测评场次", out)
    ballot_ids: list[str] = []
    b_session: list[int] = []
    b_group: list[int] = []
    c_ballot, c_cand, c_grade = [], [], []
    seen: set[str] = set()
    for k, ballot in enumerate(doc.ballots):
        where = f"facts.ballots[{k}]"
        if ballot.id in seen:
            out.add(f"{where}.id", f"选票编号重复：{ballot.id}")
        seen.add(ballot.id)
        session, group = sessions.get(ballot.session), group_index.get(ballot.group)
        if session is None:
            out.add(f"{where}.session", _unknown("测评场次", ballot.session))
        if group is None:
            out.add(f"{where}.group", _unknown("投票人类别", ballot.group))
        b = len(ballot_ids)
        ballot_ids.append(ballot.id)
        b_session.append(session or 0)
        b_group.append(group or 0)
        for cand, grade in ballot.grades.items():
            at = f"{where}.grades.{cand}"
            if cand not in cands:
                out.add(at, _unknown("候选对象", cand))
                continue
            i = cands[cand]
            kind = category[i]
            if grade == abstain[kind]:
                code = -1
            elif grade in grade_index[kind]:
                code = grade_index[kind][grade]
            else:
                out.add(at, f"未知的等次 {shown(grade)}")
                continue
            c_ballot.append(b)
            c_cand.append(i)
            c_grade.append(code)
    agg: list[tuple[int, int, int, int, int]] = []
    for k, row in enumerate(doc.ballot_counts):
        where = f"facts.ballot_counts[{k}]"
        session, group = sessions.get(row.session), group_index.get(row.group)
        if session is None:
            out.add(f"{where}.session", _unknown("测评场次", row.session))
        if group is None:
            out.add(f"{where}.group", _unknown("投票人类别", row.group))
        if row.candidate not in cands:
            out.add(f"{where}.candidate", _unknown("候选对象", row.candidate))
        if session is None or group is None or row.candidate not in cands:
            continue
        i = cands[row.candidate]
        kind = category[i]
        for grade, n in row.counts.items():
            if grade == abstain[kind]:
                continue
            if grade not in grade_index[kind]:
                out.add(f"{where}.counts.{grade}", f"未知的等次 {shown(grade)}")
                continue
            agg.append((session, i, group, grade_index[kind][grade], n))
    b_session_arr = np.array(b_session, dtype=np.int32)
    counted = np.bincount(b_session_arr, minlength=len(sessions))
    invited = [s.invited for s in doc.sessions]
    issued = [s.invited if s.issued is None else s.issued for s in doc.sessions]
    returned = [int(counted[k]) if s.returned is None else s.returned
                for k, s in enumerate(doc.sessions)]  # fmt: skip
    table = np.array(agg, dtype=np.int64).reshape(len(agg), 5)
    return {
        "session_ids": [s.id for s in doc.sessions],
        "session_invited": np.array(invited, dtype=np.int64),
        "session_issued": np.array(issued, dtype=np.int64),
        "session_returned": np.array(returned, dtype=np.int64),
        "ballot_ids": ballot_ids, "ballot_session": b_session_arr,
        "ballot_group": np.array(b_group, dtype=np.int8),
        "bcell_ballot": np.array(c_ballot, dtype=np.int32),
        "bcell_cand": np.array(c_cand, dtype=np.int32),
        "bcell_grade": np.array(c_grade, dtype=np.int8),
        "agg_session": table[:, 0].astype(np.int32), "agg_cand": table[:, 1].astype(np.int32),
        "agg_group": table[:, 2].astype(np.int8), "agg_grade": table[:, 3].astype(np.int8),
        "agg_n": table[:, 4],
    }  # fmt: skip


def _events(rows: Sequence[Any], key: str, items: tuple[Any, ...], cands: dict[str, int],
            out: Collector) -> np.ndarray:  # fmt: skip
    index = {item.id: m for m, item in enumerate(items)}
    counts = np.zeros((len(cands), len(items)), dtype=np.int64)
    for k, event in enumerate(rows):
        where = f"facts.{key}[{k}]"
        if event.candidate not in cands:
            out.add(f"{where}.candidate", _unknown("候选对象", event.candidate))
        if event.item not in index:
            out.add(f"{where}.item", _unknown("事项", event.item))
        if event.candidate in cands and event.item in index:
            counts[cands[event.candidate], index[event.item]] += event.count
    return counts
