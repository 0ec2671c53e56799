"""The result as a JSON document, a ranking table and a line-by-line explanation.

The engine speaks in codes (`codes.py`); this module renders them in the reader's
language: Chinese (`zh`, the default) or English (`en`). Pure Python, no Django: the web
pages may use `reason_text` and `status_text` or their own catalogue of the same codes.
The JSON document is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from sanhao.scoring.codes import Category, Reason, ReasonCode, Status, VoidCode
from sanhao.scoring.results import (
    Breakdown,
    CandidateScore,
    CategorySummary,
    Result,
    UnitBreakdown,
)

LANGUAGES = ("zh", "en")

REASONS: dict[str, dict[ReasonCode | VoidCode, str]] = {
    "zh": {
        ReasonCode.VETO: "一票否决：{name}",
        ReasonCode.MONTHS_IN_POST: "年度内任职不满 {required} 个月",
        ReasonCode.BOTTOM_GRADES: "“{grade}”票占比超过 {limit}",
        ReasonCode.TEAM_BOTTOM: "所在班子排名处于后三分之一（第 {rank} 名，共 {teams} 个）",
        ReasonCode.NO_PANEL: "缺少有效的述职评分（待工作专班处理）",
        ReasonCode.NO_BALLOT: "缺少有效的测评票（待工作专班处理）",
        VoidCode.SHEET_EQUAL_TOTALS: "所有候选对象总分相同",
        VoidCode.SHEET_TOO_MANY_HIGH: "总分 ≥ {total} 的超过 {limit} 个",
        VoidCode.SESSION_OVER_ISSUED: "收回票数 {returned} 多于发出票数 {issued}",
        VoidCode.SESSION_BELOW_QUORUM: "投票人数 {returned} 不足应到人数 {invited} 的 {quorum}",
    },
    "en": {
        ReasonCode.VETO: "veto: {name}",
        ReasonCode.MONTHS_IN_POST: "less than {required} months in post during the year",
        ReasonCode.BOTTOM_GRADES: "more than {limit} of the grades are “{grade}”",
        ReasonCode.TEAM_BOTTOM: "the unit's team ranks in the bottom third ({rank} of {teams})",
        ReasonCode.NO_PANEL: "no valid panel sheet (for the office to resolve)",
        ReasonCode.NO_BALLOT: "no valid ballot (for the office to resolve)",
        VoidCode.SHEET_EQUAL_TOTALS: "every candidate has the same total",
        VoidCode.SHEET_TOO_MANY_HIGH: "more than {limit} totals ≥ {total}",
        VoidCode.SESSION_OVER_ISSUED: "{returned} ballots returned, more than the {issued} issued",
        VoidCode.SESSION_BELOW_QUORUM: "{returned} voted, less than {quorum} of the {invited} invited",
    },
}
NOTE = {"zh": "（{note}）", "en": " ({note})"}
STATUSES: dict[str, dict[Status, str]] = {
    "zh": {
        Status.AWARDED: "当选",
        Status.BOUNDARY_TIE: "名额线并列，提交研究论证",
        Status.UNIT_CAP_TIE: "本镇街名额内并列，提交研究论证",
        Status.SKIPPED_UNIT_CAP: "超出本镇街名额，顺延",
        Status.INELIGIBLE: "不具备资格",
        Status.BELOW_THRESHOLD: "未达到分数线",
        Status.NOT_AWARDED: "未当选",
    },
    "en": {
        Status.AWARDED: "awarded",
        Status.BOUNDARY_TIE: "tie across the quota line, for the deliberation",
        Status.UNIT_CAP_TIE: "tie across the unit's cap, for the deliberation",
        Status.SKIPPED_UNIT_CAP: "over the unit's cap, skipped",
        Status.INELIGIBLE: "not eligible",
        Status.BELOW_THRESHOLD: "below the threshold",
        Status.NOT_AWARDED: "not awarded",
    },
}
# Judge flags of the statistics (stats.py), codes → words.
JUDGE_FLAGS = {
    "zh": {"lenient": "偏宽", "severe": "偏严", "straight_lining": "打分无区分",
           "low_correlation": "与其他评委相关性低", "own_unit_bias": "偏向本镇街"},
    "en": {"lenient": "lenient", "severe": "severe", "straight_lining": "straight-lining",
           "low_correlation": "low correlation with the panel", "own_unit_bias": "favours own unit"},
}  # fmt: skip
SEPARATOR = {"zh": ("：", "；"), "en": (": ", "; ")}


def reason_text(reason: Reason, language: str = "zh") -> str:
    text = REASONS[language][reason.code].format(**reason.params)
    note = reason.params.get("note")
    return text + NOTE[language].format(note=note) if note else text


def status_text(row: CandidateScore, language: str = "zh") -> str:
    """The candidate's status, the same words in the table, the explanation and the file."""
    text = STATUSES[language][row.status]
    if row.status is Status.INELIGIBLE:
        colon, semicolon = SEPARATOR[language]
        text += colon + semicolon.join(reason_text(r, language) for r in row.reasons)
    return text


def _rate(value: Fraction) -> str:
    return f"{float(value):.4f}"


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _reason(reason: Reason, language: str) -> dict[str, Any]:
    return {**reason.to_json(), "text": reason_text(reason, language)}


def unit_document(unit: UnitBreakdown) -> dict[str, Any]:
    indicators = [{
        "indicator": x.indicator, "name": x.name, "points": str(x.points), "actual": str(x.actual),
        "plan": str(x.plan), "prior": str(x.prior), "completion": _num(x.completion),
        "completion_part": _num(x.completion_part),
        "growth": None if x.growth is None else _num(x.growth),
        "growth_part": None if x.growth_part is None else _num(x.growth_part),
        "growth_rank": x.growth_rank, "method": x.method, "alpha": str(x.alpha),
        "score": _num(x.score),
    } for x in unit.indicators]  # fmt: skip
    records = [{"type": r.type, "name": r.name, "expected": r.expected, "on_time": r.on_time,
                "missing": list(r.missing), "late": list(r.late)} for r in unit.records]  # fmt: skip
    return {"K": _num(unit.k), "indicators": indicators,
            "process": {"points": str(unit.process_points), "score": _num(unit.process_score),
                        "records": records}}  # fmt: skip


def _formula(b: Breakdown) -> str:
    c, w = b.candidate, b.weights
    return f"{w['K']}×{c.k} + {w['P']}×{c.p} + {w['M']}×{c.m} + {c.b} − {c.d} = {c.s}"


def breakdown_document(b: Breakdown) -> dict[str, Any]:
    """Which inputs, rules and weights made each number (K's inputs: the unit's, `units`)."""
    k: dict[str, Any] = {"rule": "unit", "unit": b.k.unit.unit}
    if b.k.overseen is not None:
        k = {"rule": "overseen indicators + process", "unit": b.k.unit.unit,
             "indicators": list(b.k.overseen)}  # fmt: skip
    panel: dict[str, Any] = {"judges": b.p.sheets, "mode": b.p.mode, "trimmed": b.p.trimmed}
    if b.p.mode == "score":
        panel["dimensions"] = {name: _num(value) for name, value in b.p.dimensions}
    else:
        panel["mean_rank"] = _num(b.p.mean_rank)
    groups = {g.group: {"name": g.name, "weight": str(g.weight), "counts": dict(g.counts),
                        "mean": _num(g.mean) if g.mean is not None else None}
              for g in b.m.groups}  # fmt: skip
    return {
        "K": k, "P": panel,
        "M": {"groups": groups, "excellence_rate": _rate(b.m.excellence_rate),
              "bottom_rate": _rate(b.m.bottom_rate), "grades_counted": b.m.grades_counted},
        "B": {"events": {e.item: e.count for e in b.b.events},
              "max": None if b.b.max is None else str(b.b.max)},
        "D": {"events": {e.item: e.count for e in b.d.events},
              "max": None if b.d.max is None else str(b.d.max)},
        "S": _formula(b),
    }  # fmt: skip


def candidate_document(row: CandidateScore, language: str = "zh") -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "unit": row.unit,
        "K": str(row.k), "P": str(row.p), "M": str(row.m), "B": str(row.b), "D": str(row.d),
        "S": str(row.s), "excellence_rate": _rate(row.excellence_rate),
        "bottom_rate": _rate(row.bottom_rate), "rank": row.rank, "tied": row.tied,
        "eligible": row.eligible, "reasons": [_reason(r, language) for r in row.reasons],
        "incomplete": [str(c) for c in row.incomplete], "status": str(row.status),
        "status_text": status_text(row, language),
    }  # fmt: skip


def _void(found: Mapping[str, Reason], language: str) -> dict[str, Any]:
    return {key: _reason(reason, language) for key, reason in found.items()}


class Source(Protocol):
    """What the document is made of: a `Result`, or a result read back from its columns
    (`columns.py`), which give the same document."""

    @property
    def engine_version(self) -> str: ...
    @property
    def scheme_version(self) -> str: ...
    @property
    def scheme_hash(self) -> str: ...
    @property
    def input_hash(self) -> str: ...
    @property
    def year(self) -> int: ...
    def category_keys(self) -> Iterable[str]: ...
    def summary(self, category: Category | str) -> CategorySummary: ...
    def ranked(self, category: str, *, explain: bool
               ) -> Iterator[tuple[CandidateScore, Breakdown | None]]: ...  # fmt: skip
    def unit_breakdowns(self) -> Iterator[UnitBreakdown]: ...


def to_document(result: Source, *, explain: bool = True, language: str = "zh") -> dict[str, Any]:
    categories = {}
    for key in result.category_keys():
        summary = result.summary(key)
        rows = []
        for row, breakdown in result.ranked(key, explain=explain):
            entry = candidate_document(row, language)
            if breakdown is not None:
                entry["breakdown"] = breakdown_document(breakdown)
            rows.append(entry)
        categories[str(key)] = {
            "name": summary.name, "quota": summary.quota,
            "threshold": None if summary.threshold is None else str(summary.threshold),
            "unit_cap": summary.unit_cap, "awarded": list(summary.awarded),
            "boundary_tie": list(summary.boundary_tie), "unit_cap_tie": list(summary.unit_cap_tie),
            "empty_seats": summary.empty_seats,
            "seats_for_deliberation": summary.seats_for_deliberation,
            "void_sheets": _void(summary.void_sheets, language),
            "void_sessions": _void(summary.void_sessions, language),
            "void_ballots": summary.void_ballots, "candidates": rows,
        }  # fmt: skip
    document: dict[str, Any] = {
        "engine_version": result.engine_version, "scheme_version": result.scheme_version,
        "scheme_hash": result.scheme_hash, "input_hash": result.input_hash, "year": result.year,
        "categories": categories,
    }  # fmt: skip
    if explain:
        document["units"] = {unit.unit: unit_document(unit) for unit in result.unit_breakdowns()}
    return document


def _default(value: Any) -> Any:
    if isinstance(value, Decimal | Fraction):
        return str(value)
    raise TypeError(type(value).__name__)


def to_json(document: dict[str, Any]) -> str:
    """Compact and with sorted keys: the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_default) + "\n"  # fmt: skip


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def ranking_table(result: Result) -> str:
    lines = []
    for key in result.categories:
        summary = result.summary(key)
        rows = result.candidates(key)
        if not rows:
            continue
        lines.append(f"\n{summary.name}（名额 {summary.quota}）")
        heads = ["量化K", "述职P", "测评M", "加分B", "扣分D", "综合S"]
        lines.append(_right("名次", 5) + "  " + _left("候选对象", 24)
                     + "".join(_right(h, 9) for h in heads) + "  结果")  # fmt: skip
        for row in rows:
            rank = f"{row.rank}{'=' if row.tied else ''}"
            numbers = (row.k, row.p, row.m, row.b, row.d, row.s)
            lines.append(_right(rank, 5) + "  " + _left(row.name, 24)
                         + "".join(_right(str(v), 9) for v in numbers)
                         + f"  {status_text(row)}")  # fmt: skip
        if summary.seats_for_deliberation:
            lines.append(f"      提交研究论证的名额 {summary.seats_for_deliberation} 个")
        if summary.empty_seats:
            lines.append(f"      空缺名额 {summary.empty_seats} 个（无符合条件的候选对象）")
    return "\n".join(lines).lstrip("\n") + "\n"


def explain_lines(result: Result, candidate_id: str) -> str:
    b = result.breakdown(candidate_id)
    row = b.candidate
    name = result.scheme.categories[row.category].name
    out = [f"{row.name}（{row.id}，{name}，{row.unit}）", f"综合得分 S = {_formula(b)}",
           f"名次 {row.rank}{'（并列）' if row.tied else ''}"]  # fmt: skip
    unit = b.k.unit
    chosen = b.k.overseen
    rule = "镇街指标" if chosen is None else "分管指标 + 过程记录"
    out.append(f"\nK 量化计分 {row.k}（{rule}）")
    for ind in unit.indicators:
        if chosen is not None and ind.indicator not in chosen:
            continue
        growth = "无（上年为 0）" if ind.growth is None else _num(ind.growth)
        out.append(
            f"  {ind.name}：实际 {ind.actual} / 计划 {ind.plan} → 完成率 {_num(ind.completion)}，"
            f"完成分 {_num(ind.completion_part)}；上年 {ind.prior} → 增幅 {growth}，"
            f"增幅分 {_num(ind.growth_part) or '—'}（{ind.method}）；α={ind.alpha} → "
            f"{_num(ind.score)} / {ind.points} 分"
        )
    out.append(f"  过程记录：{_num(unit.process_score)} / {unit.process_points} 分")
    for record in unit.records:
        extra = ""
        if record.missing:
            extra += f"，缺第 {'、'.join(map(str, record.missing))} 期"
        if record.late:
            extra += f"，第 {'、'.join(map(str, record.late))} 期逾期"
        out.append(f"    {record.name}：按时 {record.on_time} / 应有 {record.expected}{extra}")
    out.append(f"\nP 述比排序 {row.p}（有效评分表 {b.p.sheets} 份"
               f"{'，各维度去掉一个最高分和一个最低分' if b.p.trimmed else ''}）")  # fmt: skip
    for dimension, value in b.p.dimensions:
        out.append(f"  {dimension}：{_num(value)}")
    out.append(f"\nM 民主测评 {row.m}（优秀率 {_rate(b.m.excellence_rate)}，"
               f"末等率 {_rate(b.m.bottom_rate)}，有效等次 {b.m.grades_counted} 个）")  # fmt: skip
    for group in b.m.groups:
        counts = "，".join(f"{g} {n}" for g, n in group.counts)
        mean = "无有效等次" if group.mean is None else _num(group.mean)
        out.append(f"  {group.name}（权重 {group.weight}）：{counts} → 平均 {mean}")

    def events(found: Any) -> str:
        if not found.events:
            return "无"
        return "；".join(f"{e.name} {e.count} 次 × {e.points}（上限 {e.cap}）= {e.value}"
                        for e in found.events)  # fmt: skip

    out.append(f"\nB 加分 {row.b}：{events(b.b)}；加分合计上限 {b.b.max}")
    total = "" if b.d.max is None else f"；扣分合计上限 {b.d.max}"
    out.append(f"D 扣分 {row.d}：{events(b.d)}{total}")
    out.append(f"\n结果：{status_text(row)}")
    return "\n".join(out) + "\n"
