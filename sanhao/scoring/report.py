"""The result as a JSON document, a ranking table and a line-by-line explanation.

The JSON document is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import unicodedata
from fractions import Fraction
from typing import Any

import numpy as np

from sanhao.scoring.engine import ENGINE_VERSION, CategoryResult, Result
from sanhao.scoring.rounding import cents_text


def _rate(value: Fraction) -> str:
    return f"{float(value):.4f}"


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if np.isfinite(value) else ""


def unit_breakdown(result: Result, u: int) -> dict[str, Any]:
    """The unit's indicators and process records: what its team, leader and deputies share."""
    scheme, facts, q = result.scheme, result.facts, result.quantified
    indicators = []
    for j, ind in enumerate(scheme.indicators):
        growth = q.growth[u, j]
        defined = bool(np.isfinite(growth))
        indicators.append({
            "indicator": ind.id, "name": ind.name, "points": str(ind.points),
            "actual": _num(facts.actual[u, j]), "plan": _num(facts.plan[u, j]),
            "prior": _num(facts.prior[u, j]),
            "completion": _num(q.completion[u, j]), "completion_part": _num(q.s_a[u, j]),
            "growth": _num(growth) if defined else "undefined (prior year 0)",
            "growth_part": _num(q.s_b[u, j]) if defined else "",
            "growth_rank": int(q.growth_rank[u, j]) if defined else None,
            "method": ind.growth_method, "alpha": str(ind.alpha), "score": _num(q.s[u, j]),
        })  # fmt: skip
    records = []
    for k, record in enumerate(scheme.records):
        missing, late = facts.records_detail.get((u, k), ([], []))
        records.append({"type": record.type, "name": record.name, "expected": record.expected,
                        "on_time": int(facts.records_on_time[u, k]), "missing": missing,
                        "late": late})  # fmt: skip
    return {"K": _num(q.k_unit[u]), "indicators": indicators,
            "process": {"points": str(scheme.process_points), "score": _num(q.s_proc[u]),
                        "records": records}}  # fmt: skip


def breakdown(result: Result, category: CategoryResult, at: int) -> dict[str, Any]:
    """Which inputs, rules and weights made each number of one candidate.

    K's inputs are the unit's (`unit_breakdown`); a deputy who oversees indicators
    names them here.
    """
    scheme, facts = result.scheme, result.facts
    spec = category.spec
    i = int(category.members[at])
    u = int(facts.cand_unit[i])
    chosen = category.details["overseen"].get(at)
    k_rule: dict[str, Any] = {"rule": "unit", "unit": facts.unit_ids[u]}
    if chosen is not None:
        k_rule = {"rule": "overseen indicators + process", "unit": facts.unit_ids[u],
                  "indicators": [scheme.indicators[j].id for j in chosen]}  # fmt: skip
    panel: dict[str, Any] = {"judges": int(category.panel_judges[at]), "mode": spec.panel.mode,
                             "trimmed": bool(category.panel_judges[at] > spec.panel.trim_above)}  # fmt: skip
    if spec.panel.mode == "score":
        panel["dimensions"] = {
            name: _num(category.details["panel_dims"][at, c]) for c, name in enumerate(spec.dimensions)
        }  # fmt: skip
    else:
        panel["mean_rank"] = _num(category.details["mean_rank"][at])
    counts = category.details["counts"][at]
    groups = {}
    for g, name in enumerate(spec.ballot.groups):
        n = int(counts[g].sum())
        groups[name] = {
            "name": spec.ballot.group_names[g] if g < len(spec.ballot.group_names) else name,
            "weight": str(spec.ballot.group_weights[g]),
            "counts": {grade: int(counts[g, k]) for k, grade in enumerate(spec.ballot.grades)},
            "mean": _num(category.details["group_mean"][at, g]) if n else "no valid grade",
        }
    bonus = {item.id: int(facts.bonus_counts[i, m]) for m, item in enumerate(scheme.bonus_items)
             if facts.bonus_counts[i, m]}  # fmt: skip
    deduction = {item.id: int(facts.deduction_counts[i, m])
                 for m, item in enumerate(scheme.deduction_items) if facts.deduction_counts[i, m]}  # fmt: skip
    w = spec.weights
    return {
        "K": k_rule,
        "P": panel,
        "M": {"groups": groups, "excellence_rate": _rate(category.e(at)),
              "bottom_rate": _rate(category.u(at)), "grades_counted": int(category.ballots_counted[at])},
        "B": {"events": bonus, "max": str(scheme.bonus_max)},
        "D": {"events": deduction},
        "S": f"{w['K']}×{cents_text(category.k[at])} + {w['P']}×{cents_text(category.p[at])} + "
             f"{w['M']}×{cents_text(category.m[at])} + {cents_text(category.b[at])} − "
             f"{cents_text(category.d[at])} = {cents_text(category.s[at])}",
    }  # fmt: skip


def candidate_row(result: Result, category: CategoryResult, at: int, *, explain: bool = True
                  ) -> dict[str, Any]:  # fmt: skip
    facts = result.facts
    i = int(category.members[at])
    row = {
        "id": facts.cand_ids[i], "name": facts.cand_names[i],
        "unit": facts.unit_ids[int(facts.cand_unit[i])],
        "K": cents_text(category.k[at]), "P": cents_text(category.p[at]),
        "M": cents_text(category.m[at]), "B": cents_text(category.b[at]),
        "D": cents_text(category.d[at]), "S": cents_text(category.s[at]),
        "excellence_rate": _rate(category.e(at)), "bottom_rate": _rate(category.u(at)),
        "rank": int(category.rank[at]), "tied": bool(category.tied[at]),
        "eligible": not category.reasons[at], "reasons": category.reasons[at],
        "incomplete": category.incomplete[at], "awarded": bool(category.awarded[at]),
        "boundary_tie": bool(category.boundary_tie[at]),
        "skipped_by_unit_cap": bool(category.skipped_cap[at]),
    }  # fmt: skip
    if explain:
        row["breakdown"] = breakdown(result, category, at)
    return row


def to_document(result: Result, *, explain: bool = True) -> dict[str, Any]:
    categories = {}
    for key, category in result.categories.items():
        rows = [candidate_row(result, category, int(at), explain=explain) for at in category.order]
        categories[key] = {
            "name": category.spec.name, "quota": category.spec.quota,
            "threshold": None if category.spec.threshold is None else str(category.spec.threshold),
            "unit_cap": category.spec.unit_cap,
            "awarded": [r["id"] for r in rows if r["awarded"]],
            "boundary_tie": [r["id"] for r in rows if r["boundary_tie"]],
            "empty_seats": category.empty_seats,
            "seats_for_deliberation": category.details["open_seats"] if any(
                r["boundary_tie"] for r in rows) else 0,
            "void_sheets": category.details["void_sheets"],
            "void_sessions": category.details["void_sessions"],
            "void_ballots": category.details["void_ballots"],
            "candidates": rows,
        }  # fmt: skip
    document: dict[str, Any] = {
        "engine_version": ENGINE_VERSION, "scheme_version": result.scheme.version,
        "scheme_hash": result.scheme.source_hash, "input_hash": result.facts.input_hash,
        "year": result.facts.year, "categories": categories,
    }  # fmt: skip
    if explain:
        document["units"] = {
            uid: unit_breakdown(result, u) for u, uid in enumerate(result.facts.unit_ids)
        }
    return document


def to_json(document: dict[str, Any]) -> str:
    """Compact and with sorted keys: the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def ranking_table(result: Result) -> str:
    lines = []
    for category in result.categories.values():
        spec = category.spec
        if len(category.members) == 0:
            continue
        lines.append(f"\n{spec.name}（名额 {spec.quota}）")
        heads = ["量化K", "述职P", "测评M", "加分B", "扣分D", "综合S"]
        lines.append(_right("名次", 5) + "  " + _left("候选对象", 24)
                     + "".join(_right(h, 9) for h in heads) + "  结果")  # fmt: skip
        for at in category.order:
            at = int(at)
            i = int(category.members[at])
            mark = ("当选" if category.awarded[at] else "名额线并列，提交研究论证"
                    if category.boundary_tie[at] else "")  # fmt: skip
            if category.skipped_cap[at]:
                mark = "超出本镇街名额，顺延"
            if category.reasons[at]:
                mark = "不具备资格：" + "；".join(category.reasons[at])
            rank = f"{category.rank[at]}{'=' if category.tied[at] else ''}"
            name = result.facts.cand_names[i]
            numbers = (category.k, category.p, category.m, category.b, category.d, category.s)
            lines.append(_right(rank, 5) + "  " + _left(name, 24)
                         + "".join(_right(cents_text(v[at]), 9) for v in numbers)
                         + f"  {mark}".rstrip())  # fmt: skip
        if category.empty_seats:
            lines.append(f"      空缺名额 {category.empty_seats} 个（无符合条件的候选对象）")
    return "\n".join(lines).lstrip("\n") + "\n"


def explain_lines(result: Result, candidate_id: str) -> str:
    category, at = result.position(candidate_id)
    row = candidate_row(result, category, at)
    b = row["breakdown"]
    out = [f"{row['name']}（{row['id']}，{category.spec.name}，{row['unit']}）",
           f"综合得分 S = {b['S']}", f"名次 {row['rank']}{'（并列）' if row['tied'] else ''}"]  # fmt: skip
    unit = unit_breakdown(result, int(result.facts.cand_unit[category.members[at]]))
    chosen = b["K"].get("indicators")
    rule = "镇街指标" if chosen is None else "分管指标 + 过程记录"
    out.append(f"\nK 量化计分 {row['K']}（{rule}）")
    for ind in unit["indicators"]:
        if chosen is not None and ind["indicator"] not in chosen:
            continue
        out.append(
            f"  {ind['name']}：实际 {ind['actual']} / 计划 {ind['plan']} → 完成率 {ind['completion']}，"
            f"完成分 {ind['completion_part']}；上年 {ind['prior']} → 增幅 {ind['growth']}，"
            f"增幅分 {ind['growth_part'] or '—'}（{ind['method']}）；α={ind['alpha']} → {ind['score']}"
            f" / {ind['points']} 分"
        )
    proc = unit["process"]
    out.append(f"  过程记录：{proc['score']} / {proc['points']} 分")
    for record in proc["records"]:
        extra = ""
        if record["missing"]:
            extra += f"，缺第 {'、'.join(map(str, record['missing']))} 期"
        if record["late"]:
            extra += f"，第 {'、'.join(map(str, record['late']))} 期逾期"
        out.append(
            f"    {record['name']}：按时 {record['on_time']} / 应有 {record['expected']}{extra}"
        )
    panel = b["P"]
    out.append(f"\nP 述比排序 {row['P']}（有效评分表 {panel['judges']} 份"
               f"{'，各维度去掉一个最高分和一个最低分' if panel['trimmed'] else ''}）")  # fmt: skip
    for name, value in panel.get("dimensions", {}).items():
        out.append(f"  {name}：{value}")
    out.append(f"\nM 民主测评 {row['M']}（优秀率 {b['M']['excellence_rate']}，"
               f"末等率 {b['M']['bottom_rate']}，有效等次 {b['M']['grades_counted']} 个）")  # fmt: skip
    for group in b["M"]["groups"].values():
        counts = "，".join(f"{g} {n}" for g, n in group["counts"].items())
        out.append(f"  {group['name']}（权重 {group['weight']}）：{counts} → 平均 {group['mean']}")
    names = {i.id: (i.name, i.points, i.cap) for i in (*result.scheme.bonus_items,
                                                       *result.scheme.deduction_items)}  # fmt: skip

    def events(found: dict[str, int]) -> str:
        if not found:
            return "无"
        return "；".join(f"{names[k][0]} {n} 次 × {names[k][1]}（上限 {names[k][2]}）"
                        for k, n in found.items())  # fmt: skip

    out.append(f"\nB 加分 {row['B']}：{events(b['B']['events'])}；加分合计上限 {b['B']['max']}")
    out.append(f"D 扣分 {row['D']}：{events(b['D']['events'])}")
    status = "当选" if row["awarded"] else "未当选"
    if row["reasons"]:
        status = "不具备资格：" + "；".join(row["reasons"])
    elif row["boundary_tie"]:
        status = "名额线上并列，提交研究论证"
    out.append(f"\n结果：{status}")
    return "\n".join(out) + "\n"
