"""An independent, straightforward computation of docs/scoring.md: plain loops and fractions.

It reads the facts document (the JSON dict) directly, shares no code with the
engine except the scheme reader, and exists to be compared with the vectorised
engine on random inputs.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sanhao.scoring.scheme import Scheme


def F(value: Any) -> Fraction:
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value))) if not isinstance(value, Fraction) else value


def half_up(value: Fraction) -> Fraction:
    scaled = value * 100
    sign = -1 if scaled < 0 else 1
    return Fraction(sign * math.floor(abs(scaled) + Fraction(1, 2)), 100)


def capped(events: list[dict[str, Any]], items: Any, cid: str) -> Fraction:
    """Σ over items of min(points · count, cap) for one candidate (扣完为止)."""
    total = Fraction(0)
    for item in items:
        n = sum(e.get("count", 1) for e in events if e["candidate"] == cid and e["item"] == item.id)
        total += min(F(item.points) * n, F(item.cap))
    return total


def reference(scheme: Scheme, doc: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    units = [u["id"] for u in doc["units"]]
    values = {(row["unit"], row["indicator"]): row for row in doc.get("indicators", [])}
    # Step 1: per unit and indicator
    s: dict[tuple[str, str], Fraction] = {}
    for ind in scheme.indicators:
        growth: dict[str, Fraction | None] = {}
        for u in units:
            row = values[(u, ind.id)]
            a, y = F(row["actual"]), F(row["prior"])
            if y == 0:
                growth[u] = None
            else:
                growth[u] = ((y - a) if ind.lower_is_better else (a - y)) / abs(y)
        defined = [g for g in growth.values() if g is not None]
        for u in units:
            row = values[(u, ind.id)]
            a, p = F(row["actual"]), F(row["plan"])
            c = (Fraction(1) if a == 0 else p / a) if ind.lower_is_better else a / p
            c = min(max(c, Fraction(0)), Fraction(1))
            w = F(ind.points)
            part_a = w * c
            g = growth[u]
            if g is None:
                s[(u, ind.id)] = part_a
                continue
            if ind.growth_method == "rank":
                rank = 1 + sum(1 for other in defined if other > g)
                part_b = w * max(Fraction(0), 1 - Fraction(5, 100) * (rank - 1))
            else:
                low, high = min(defined), max(defined)
                part_b = (
                    w
                    if high == low
                    else w * (Fraction(6, 10) + Fraction(4, 10) * (g - low) / (high - low))
                )
            alpha = F(ind.alpha)
            s[(u, ind.id)] = alpha * part_a + (1 - alpha) * part_b
    expected_total = sum(r.expected for r in scheme.records)
    proc: dict[str, Fraction] = {}
    for u in units:
        held = 0
        for r in scheme.records:
            on_time = {row["period"] for row in doc.get("records", [])
                       if row["unit"] == u and row["type"] == r.type and row.get("on_time", True)}  # fmt: skip
            held += min(len(on_time), r.expected)
        proc[u] = F(scheme.process_points) * (
            Fraction(held, expected_total) if expected_total else 1
        )

    def k_of(unit: str, chosen: list[str] | None) -> Fraction:
        inds = [i for i in scheme.indicators if chosen is None or i.id in chosen]
        total = sum((F(i.points) for i in inds), Fraction(0)) + F(scheme.process_points)
        return 100 * (sum((s[(unit, i.id)] for i in inds), Fraction(0)) + proc[unit]) / total

    out: dict[str, dict[str, dict[str, Any]]] = {}
    cands = doc["candidates"]
    sessions = {x["id"]: x for x in doc.get("sessions", [])}
    for key, spec in scheme.categories.items():
        mine = [c for c in cands if c["category"] == key]
        ids = {c["id"] for c in mine}
        rows: dict[str, dict[str, Any]] = {}
        # Step 2
        valid_sheets = []
        for sheet in doc.get("panel", []):
            if sheet["category"] != key:
                continue
            totals = [sum(F(x) for x in v) for v in sheet["scores"].values()]
            n = len(totals)
            if n >= 2 and len(set(totals)) == 1:
                continue
            if sum(1 for t in totals if t >= F(spec.panel.void_high_total)) > math.ceil(
                F(spec.panel.void_high_share) * n
            ):
                continue
            valid_sheets.append(sheet)
        # Step 3
        counts = {c["id"]: {g: {grade: 0 for grade in spec.ballot.grades} for g in spec.ballot.groups}
                  for c in mine}  # fmt: skip

        def session_ok(sid: str, spec: Any = spec) -> bool:
            x = sessions[sid]
            returned = x.get(
                "returned", sum(1 for b in doc.get("ballots", []) if b["session"] == sid)
            )
            return (
                returned <= x.get("issued", x["invited"])
                and Fraction(returned) >= F(spec.ballot.quorum) * x["invited"]
            )

        for ballot in doc.get("ballots", []):
            if not session_ok(ballot["session"]):
                continue
            part = {c: g for c, g in ballot["grades"].items() if c in ids}
            tops = sum(1 for g in part.values() if g == spec.ballot.grades[0])
            if tops > math.ceil(F(spec.ballot.top_share) * len(part)):
                continue
            for c, g in part.items():
                if g != spec.ballot.abstain:
                    counts[c][ballot["group"]][g] += 1
        for row in doc.get("ballot_counts", []):
            if row["candidate"] in ids and session_ok(row["session"]):
                for g, n in row["counts"].items():
                    if g != spec.ballot.abstain:
                        counts[row["candidate"]][row["group"]][g] += n
        for c in mine:
            cid = c["id"]
            chosen = c.get("oversees") if key == "deputy" else None
            k = half_up(k_of(c["unit"], chosen or None))
            scored = [sheet["scores"][cid] for sheet in valid_sheets if cid in sheet["scores"]]
            p = Fraction(0)
            for d in range(len(spec.dimensions)):
                column = sorted(F(row[d]) for row in scored)
                if len(column) > spec.panel.trim_above:
                    column = column[1:-1]
                if column:
                    p += sum(column, Fraction(0)) / len(column)
            p = half_up(p)
            num, den, total, top, bottom = Fraction(0), Fraction(0), 0, 0, 0
            for gi, grp in enumerate(spec.ballot.groups):
                n = sum(counts[cid][grp].values())
                total += n
                top += counts[cid][grp][spec.ballot.grades[0]]
                bottom += counts[cid][grp][spec.ballot.grades[-1]]
                if n:
                    mean = Fraction(sum(counts[cid][grp][grade] * pts for grade, pts in
                                        zip(spec.ballot.grades, spec.ballot.points, strict=True)), n)  # fmt: skip
                    num += F(spec.ballot.group_weights[gi]) * mean
                    den += F(spec.ballot.group_weights[gi])
            m = half_up(num / den) if den else Fraction(0)
            b = half_up(
                min(capped(doc.get("bonuses", []), scheme.bonus_items, cid), F(scheme.bonus_max))
            )
            d_ = capped(doc.get("deductions", []), scheme.deduction_items, cid)
            if scheme.deduction_max is not None:
                d_ = min(d_, F(scheme.deduction_max))
            d_ = half_up(d_)
            if not scored:
                p = Fraction(0)
            weights = spec.weights
            score = half_up(
                F(weights["K"]) * k + F(weights["P"]) * p + F(weights["M"]) * m + b - d_
            )
            reasons = []
            for v in doc.get("vetoes", []):
                if v.get("candidate") == cid or (
                    v.get("unit") == c["unit"] and key in ("team", "leader")
                ):
                    reasons.append("veto")
            if c.get("months_in_post", 12) < spec.min_months_in_post:
                reasons.append("months_in_post")
            if total and Fraction(bottom, total) > spec.ballot.bottom_limit:
                reasons.append("bottom_grades")
            if not scored:
                reasons.append("no_panel")
            if total == 0:
                reasons.append("no_ballot")
            rows[cid] = {"K": k, "P": p, "M": m, "B": b, "D": d_, "S": score,
                         "e": Fraction(top, total) if total else Fraction(0), "reasons": reasons,
                         "unit": c["unit"]}  # fmt: skip
        out[key] = rows
    # Step 6 and the leader gate
    for key, rows in out.items():
        spec = scheme.categories[key]
        keys = {cid: (row["S"], *(row[t] for t in spec.tie_break)) for cid, row in rows.items()}
        for cid, row in rows.items():
            row["rank"] = 1 + sum(1 for other in keys.values() if other > keys[cid])
    if out.get("team"):
        n = len(out["team"])
        bottom_units = {row["unit"] for row in out["team"].values() if row["rank"] > n - n // 3}
        for key, spec in scheme.categories.items():
            if spec.team_bottom_gate:
                for row in out[key].values():
                    if row["unit"] in bottom_units:
                        row["reasons"].append("team_bottom")
    # Step 7
    for key, rows in out.items():
        spec = scheme.categories[key]
        seats = spec.quota
        per_unit: dict[str, int] = {}
        ranks = sorted({row["rank"] for row in rows.values()})
        for row in rows.values():
            row["awarded"] = row["boundary"] = row["unit_cap_tie"] = False
        for rank in ranks:
            if seats == 0:
                break
            group = [cid for cid, row in rows.items() if row["rank"] == rank and not row["reasons"]
                     and (spec.threshold is None or row["S"] >= F(spec.threshold))]  # fmt: skip
            by_unit: dict[str, list[str]] = {}
            for cid in group:
                unit = rows[cid]["unit"]
                if not spec.unit_cap or per_unit.get(unit, 0) < spec.unit_cap:
                    by_unit.setdefault(unit, []).append(cid)
            # a unit asks for its takers' seats, at most what its cap leaves
            asks = {unit: min(len(cids), spec.unit_cap - per_unit.get(unit, 0)) if spec.unit_cap
                    else len(cids) for unit, cids in by_unit.items()}  # fmt: skip
            if sum(asks.values()) > seats:
                for cids in by_unit.values():
                    for cid in cids:
                        rows[cid]["boundary"] = True
                break
            for unit, cids in by_unit.items():
                mark = "awarded" if asks[unit] == len(cids) else "unit_cap_tie"
                for cid in cids:
                    rows[cid][mark] = True
                per_unit[unit] = per_unit.get(unit, 0) + asks[unit]
                seats -= asks[unit]
    return out
