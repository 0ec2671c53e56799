"""What other apps' pages read of the score runs: a unit's lines of the newest run."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sanhao.campaigns.access import current_campaign
from sanhao.campaigns.models import CampaignYear
from sanhao.orgs.models import Unit
from sanhao.rankings.runs import latest_run, unit_lines


def _percent(value: Any) -> str:
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


def _amount(value: Any) -> str:
    """A stored amount as a clerk writes it: 169.4300 → 169.43, 250.0000 → 250."""
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:f}"


def _points(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "—"


def unit_breakdown(own: dict[str, Any]) -> dict[str, Any]:
    """A unit line's K, indicator by indicator and the process records, as the page shows it."""
    indicators = [
        {
            "name": x["name"],
            "actual": _amount(x["actual"]),
            "plan": _amount(x["plan"]),
            "prior": _amount(x["prior"]),
            "completion": _percent(x["completion"]),
            "growth": _percent(x["growth"]) if x["growth"] is not None else "—",
            "growth_rank": x["growth_rank"],
            "score": _points(x["score"]),
            "points": x["points"],
        }
        for x in own["indicators"]
    ]
    process = own["process"]
    records = [
        {"name": r["name"], "expected": r["expected"], "on_time": r["on_time"],
         "missing": len(r["missing"]), "late": len(r["late"])}
        for r in process["records"]
    ]  # fmt: skip
    return {
        "indicators": indicators,
        "process": {"score": _points(process["score"]), "points": process["points"],
                    "records": records},
    }  # fmt: skip


def candidate_breakdown(line: Any, own: dict[str, Any]) -> dict[str, Any]:
    """A candidate's K and how it is made: the unit's K, or 100 × (Σ s of the overseen
    indicators + s of the records) / (Σ W + W of the records), with the numbers."""
    rule = (line.document.get("breakdown") or {}).get("K", {})
    by_id = {x["indicator"]: x for x in own["indicators"]}
    overseen = [by_id[i] for i in rule.get("indicators", []) if i in by_id]
    formula = ""
    if rule.get("rule") != "unit":
        process = own["process"]
        scores = " + ".join([*(_points(x["score"]) for x in overseen), _points(process["score"])])
        points = " + ".join([*(str(x["points"]) for x in overseen), str(process["points"])])
        formula = f"100 × ({scores}) / ({points}) = {line.k}"
    return {
        "category": line.category,
        "name": line.document.get("name", ""),
        "k": line.k,
        "status": line.document.get("status_text", ""),
        "unit_rule": rule.get("rule") == "unit",
        "overseen": [x["name"] for x in overseen],
        "formula": formula,
    }


def unit_year(unit: Unit) -> CampaignYear | None:
    """The current campaign year, if it is the unit's district's."""
    year = current_campaign()
    return year if year is not None and year.district_id == unit.district_id else None


def unit_scores(unit: Unit, year: CampaignYear | None) -> dict[str, Any] | None:
    """The unit's K and its breakdown, and its candidates' K, from the year's newest run;
    None before the first run. Two queries whatever the size."""
    if year is None:
        return None
    run = latest_run(year)
    if run is None:
        return None
    lines = unit_lines(run, unit.code)
    if not lines or lines[0].candidate:
        return None
    own = lines[0].document
    shown = unit_breakdown(own)
    candidates = [candidate_breakdown(line, own) for line in lines[1:]]
    return {
        "run": run,
        "year": year,
        "k": lines[0].k,
        "indicators": shown["indicators"],
        "process": shown["process"],
        "candidates": candidates,
    }


def unit_overdue_remedies(unit: Unit, year: CampaignYear | None) -> list[Any]:
    """The unit's remedies of the year still open after their due date (one query)."""
    from sanhao.checks.services import overdue_remedies

    return [] if year is None else overdue_remedies(year, [unit])
