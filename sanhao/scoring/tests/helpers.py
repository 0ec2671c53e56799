"""Building schemes and facts for the engine's tests."""

from __future__ import annotations

import copy
import json
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from sanhao.scoring import Result, Scheme, parse_scheme, score
from sanhao.scoring.scheme import DEFAULT_SCHEME

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE_SCHEME = GOLDEN / "example-scheme.toml"


def scheme_data(path: Path = DEFAULT_SCHEME) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def make_scheme(data: dict[str, Any] | None = None, **changes: Any) -> Scheme:
    """A scheme from `data` (the default's), with dotted-path changes: team__quota=2."""
    data = copy.deepcopy(data or scheme_data())
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[last] = value
    return parse_scheme(data)


def run(scheme: Scheme, doc: dict[str, Any]) -> Result:
    # The facts go through JSON as a file would, numbers becoming Decimals.
    return score(scheme, json.loads(json.dumps(doc), parse_float=Decimal))


def rows(result: Result, category: str) -> dict[str, dict[str, Any]]:
    """Per candidate id: numbers as Fractions, rank, marks."""
    out = {}
    for row in result.candidates(category):
        out[row.id] = {
            "K": Fraction(row.k), "P": Fraction(row.p), "M": Fraction(row.m),
            "B": Fraction(row.b), "D": Fraction(row.d), "S": Fraction(row.s),
            "rank": row.rank, "tied": row.tied, "status": str(row.status),
            "awarded": row.awarded, "boundary": row.status == "boundary_tie",
            "skipped": row.status == "skipped_unit_cap", "eligible": row.eligible,
            "reasons": [str(r.code) for r in row.reasons], "unit": row.unit,
        }  # fmt: skip
    return out


def small_doc(teams: dict[str, dict[str, Any]], *, judges: int = 3) -> dict[str, Any]:
    """Facts for team candidates only, one indicator row per default indicator.

    teams: unit id → {"actual", "plan", "prior", "scores" (list per judge of 4 dims),
    "counts" {group: {grade: n}}, "bonus", "deduction", "veto"}
    """
    scheme_ids = ["sales", "fdi_received", "industrial_investment"]
    doc: dict[str, Any] = {"format": 1, "year": 2026, "units": [], "candidates": [],
                           "indicators": [], "records": [], "panel": [], "sessions": [
                               {"id": "M", "invited": 10, "issued": 10, "returned": 10}],
                           "ballot_counts": [], "bonuses": [], "deductions": [], "vetoes": []}  # fmt: skip
    for unit, spec in teams.items():
        doc["units"].append({"id": unit, "name": unit})
        doc["candidates"].append({"id": f"T-{unit}", "category": "team", "unit": unit})
        for ind in scheme_ids:
            doc["indicators"].append({"unit": unit, "indicator": ind,
                                      "actual": spec.get("actual", 100), "plan": spec.get("plan", 100),
                                      "prior": spec.get("prior", 100)})  # fmt: skip
        for kind in ("study", "supervision"):
            for period in range(1, 13):
                doc["records"].append({"unit": unit, "type": kind, "period": period})
        for group, counts in spec.get("counts", {"unit_cadres": {"好": 1}}).items():
            doc["ballot_counts"].append({"session": "M", "group": group, "candidate": f"T-{unit}",
                                         "counts": counts})  # fmt: skip
        if spec.get("bonus"):
            doc["bonuses"].append(
                {"candidate": f"T-{unit}", "item": "honour", "count": spec["bonus"]}
            )
        if spec.get("deduction"):
            doc["deductions"].append({"candidate": f"T-{unit}", "item": "lying_flat",
                                      "count": spec["deduction"]})  # fmt: skip
        if spec.get("veto"):
            doc["vetoes"].append({"unit": unit, "kind": "safety_incident"})
    for r in range(judges):
        # Unless given, units score alike but not equally: a sheet of equal totals is void.
        scores = {f"T-{u}": spec.get("scores", [[20, 20, 20, 20 + i % 3]] * judges)[r]
                  for i, (u, spec) in enumerate(teams.items())}  # fmt: skip
        doc["panel"].append({"id": f"S{r}", "judge": f"J{r}", "category": "team", "scores": scores})
    return doc


def deputies_doc(scores: dict[str, int]) -> dict[str, Any]:
    """Deputies D-<unit><n> of units a and b with equal K and M: the panel score orders them."""
    doc = small_doc({"a": {}, "b": {}})
    doc["panel"] = []
    for cid in scores:
        doc["candidates"].append({"id": cid, "category": "deputy", "unit": cid[2], "name": cid})
        doc["ballot_counts"].append({"session": "M", "group": "unit_cadres", "candidate": cid,
                                     "counts": {"称职": 1}})  # fmt: skip
    for r in range(3):
        doc["panel"].append({"id": f"D{r}", "judge": f"J{r}", "category": "deputy",
                             "scores": {cid: [s] * 4 for cid, s in scores.items()}})  # fmt: skip
    return doc
