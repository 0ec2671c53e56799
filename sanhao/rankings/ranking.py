"""The ranking page's data: one category of a score run, its statistics in plain words,
one candidate's breakdown, and the what-if (the same facts under changed rules).

Everything is read from the stored run (its result and statistics documents, its lines):
a page never runs the engine, except the what-if, which scores the run's own facts with
a changed scheme and stores nothing. A handful of queries whatever the number of units.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from sanhao.orgs.models import Unit
from sanhao.rankings import selectors
from sanhao.rankings.models import ScoreLine, ScoreRun
from sanhao.scoring import InvalidInput, Problem, parse_scheme, score
from sanhao.scoring.report import to_document

CATEGORIES = ("team", "leader", "deputy")
# Statuses that hold a seat or ask the deliberation for one (docs/scoring.md §7).
SEATED = {"awarded", "boundary_tie", "unit_cap_tie"}
TIE_KEYS = {"K": "K", "M": "M", "P": "P", "e": "excellence_rate"}


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise Http404
    return category


def category_names() -> dict[str, str]:
    return {"team": _("Good teams"), "leader": _("Good leaders"), "deputy": _("Good deputies")}


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%" if value * 100 == round(value * 100) else f"{value * 100:.1f}%"


@dataclass
class Documents:
    result: dict[str, Any]
    statistics: dict[str, Any] | None


def documents(run: ScoreRun) -> Documents:
    """The run's result and statistics documents (one query)."""
    result, stats = ScoreRun.objects.filter(pk=run.pk).values_list("result", "statistics").get()
    return Documents(json.loads(result), json.loads(stats) if stats else None)


def unit_names(run: ScoreRun) -> dict[str, str]:
    return dict(Unit.objects.filter(district_id=run.year.district_id).values_list("code", "name"))


@dataclass
class Row:
    id: str
    name: str
    unit: str
    unit_name: str
    rank: int
    tied: bool
    k: str
    p: str
    m: str
    b: str
    d: str
    s: str
    status: str
    status_text: str
    seated: bool
    quota_line: bool = False  # the quota line is drawn below this row
    rank_95: str = "—"
    inside: str = "—"
    dirichlet: str = "—"


def rows_of(part: dict[str, Any], names: dict[str, str]) -> list[Row]:
    """A category's candidates in rank order; the quota line after the last seat."""
    rows = [
        Row(id=c["id"], name=c["name"], unit=c["unit"], unit_name=names.get(c["unit"], c["unit"]),
            rank=c["rank"], tied=c["tied"], k=c["K"], p=c["P"], m=c["M"], b=c["B"], d=c["D"],
            s=c["S"], status=c["status"], status_text=c["status_text"],
            seated=c["status"] in SEATED)
        for c in part["candidates"]
    ]  # fmt: skip
    seated = [i for i, row in enumerate(rows) if row.seated]
    if seated and seated[-1] < len(rows) - 1:
        rows[seated[-1]].quota_line = True
    return rows


# The statistics in plain words ------------------------------------------------------------


def _agreement_words(w: float) -> str:
    if w >= 0.7:
        return _("The judges largely agree on the order of the candidates.")
    if w >= 0.5:
        return _("The judges agree fairly well on the order of the candidates.")
    if w >= 0.3:
        return _("The judges agree only moderately on the order of the candidates.")
    return _("The judges disagree a good deal on the order of the candidates.")


def _alpha_words(alpha: float) -> str:
    if alpha >= 0.8:
        return _("The voters grade each candidate very much alike.")
    if alpha >= 0.667:
        return _("The voters grade each candidate fairly alike.")
    if alpha >= 0.4:
        return _("The voters' grades of a candidate agree only in part.")
    return _(
        "The voters' grades of a candidate differ about as much as grades given at random "
        "would: the grades tell the candidates apart little."
    )


def _rank_span(low: int, high: int) -> str:
    if low == high:
        return _("place %(n)s") % {"n": low}
    return _("places %(low)s–%(high)s") % {"low": low, "high": high}


def judge_flag_words() -> dict[str, str]:
    return {
        "lenient": _("lenient"),
        "severe": _("severe"),
        "straight_lining": _("gives everyone about the same total"),
        "low_correlation": _("orders the candidates unlike the rest of the panel"),
        "own_unit_bias": _("favours the candidates of their own unit"),
    }


def explained(
    stats: dict[str, Any] | None, category: str, rows: list[Row]
) -> dict[str, Any] | None:
    """The category's statistics as the page explains them; fills each row's interval and
    inclusion shares. None when the run has none (a run stored before they were kept)."""
    if stats is None:
        return None
    part = stats["categories"].get(category)
    if part is None:
        return {"empty": True}
    by_id = {row.id: row for row in rows}
    replicates = stats.get("replicates", 2000)
    for cid, entry in part["bootstrap"].items():
        row = by_id.get(cid)
        if row is not None:
            low, high = entry["rank_95"]
            row.rank_95 = _rank_span(low, high)
            row.inside = _percent(entry["p_inside_quota"])
    for cid, share in part["dirichlet_inside_quota"].items():
        if cid in by_id:
            by_id[cid].dirichlet = _percent(share)
    out: dict[str, Any] = {"replicates": replicates, "seed": stats.get("seed")}
    w = part["panel_agreement"]
    if w and w.get("W") is not None:
        out["panel"] = {
            "w": f"{w['W']:.3f}", "judges": w["judges"], "candidates": w["candidates"],
            "p": f"{w['p']:.3g}", "words": _agreement_words(w["W"]),
            "significant": w["p"] < 0.05,
        }  # fmt: skip
    alpha = part["ballot_agreement_alpha"]
    if alpha is not None:
        out["ballot"] = {"alpha": f"{alpha:.3f}", "words": _alpha_words(alpha)}
    sensitivity = part["weight_sensitivity"]
    if sensitivity:
        last, first = (
            by_id.get(sensitivity["last_awarded"]),
            by_id.get(sensitivity["first_left_out"]),
        )
        swap = sensitivity["swap"]
        out["sensitivity"] = {
            "last": last.name if last else sensitivity["last_awarded"],
            "first": first.name if first else sensitivity["first_left_out"],
            "swap": None if swap is None else {
                "weight": swap["weight"], "from": f"{swap['from']:g}", "to": f"{swap['to']:.3f}",
                "change": f"{abs(swap['change']):.3f}", "up": swap["change"] > 0,
            },
        }  # fmt: skip
    words = judge_flag_words()
    out["judges"] = [
        {"judge": f["judge"], "flags": [words.get(x, x) for x in f["flags"]],
         "leniency": f"{f['leniency']:+.2f}", "spread": f"{f['spread']:.2f}",
         "spearman": f"{f['spearman_with_panel']:.2f}"}
        for f in part["judge_flags"]
    ]  # fmt: skip
    out["flagged_judges"] = [j for j in out["judges"] if j["flags"]]
    out["duplicates"] = [
        {"session": d["session"], "size": d["size"],
         "expected": f"{d['expected_identical_pairs']:.2g}",
         "observed": d["observed_identical_pairs"]}
        for d in stats.get("duplicate_ballots", [])
    ]  # fmt: skip
    return out


def ranking(run: ScoreRun, category: str) -> dict[str, Any]:
    """One category of the run: its rows, seats and statistics (three queries)."""
    docs = documents(run)
    part = docs.result["categories"].get(category)
    if part is None:
        raise Http404
    rows = rows_of(part, unit_names(run))
    return {
        "part": part,
        "rows": rows,
        "statistics": explained(docs.statistics, category, rows),
        "has_statistics": docs.statistics is not None,
        "awarded": sum(1 for r in rows if r.status == "awarded"),
    }


# One candidate's breakdown ------------------------------------------------------------------


def _tie_break(scheme_source: str, category: str) -> list[str]:
    try:
        spec = tomllib.loads(scheme_source)["categories"][category]
    except (tomllib.TOMLDecodeError, KeyError):
        return ["K", "M", "P", "e"]
    return list(spec.get("tie_break", ["K", "M", "P", "e"]))


def _key(candidate: dict[str, Any], key: str) -> Fraction:
    return Fraction(Decimal(candidate[TIE_KEYS[key]]))


def _decided_by(a: dict[str, Any], b: dict[str, Any], order: list[str]) -> str | None:
    """The first tie-break key on which two candidates of equal S differ; None: tied."""
    for key in order:
        if _key(a, key) != _key(b, key):
            return key
    return None


def _tie_names() -> dict[str, str]:
    return {"K": _("the quantified score K"), "M": _("the ballot score M"),
            "P": _("the panel score P"), "e": _("the excellence rate")}  # fmt: skip


def _compare(me: dict[str, Any], other: dict[str, Any], above: bool, order: list[str]
             ) -> str:  # fmt: skip
    gap = Decimal(me["S"]) - Decimal(other["S"])
    values = {"name": other["name"], "rank": other["rank"], "s": other["S"],
              "gap": f"{abs(gap):.2f}"}  # fmt: skip
    if gap:
        if above:
            return _("S is %(gap)s below that of %(name)s (place %(rank)s, S %(s)s).") % values
        return _("S is %(gap)s above that of %(name)s (place %(rank)s, S %(s)s).") % values
    key = _decided_by(me, other, order)
    if key is None:
        return (
            _("Equal with %(name)s in S and in every tie-break: they share the place (并列).")
            % values
        )
    values["key"] = _tie_names()[key]
    values["mine"] = me[TIE_KEYS[key]]
    values["theirs"] = other[TIE_KEYS[key]]
    if above:
        return (
            _(
                "Equal in S with %(name)s (place %(rank)s); placed after them by %(key)s "
                "(%(mine)s against %(theirs)s)."
            )
            % values
        )
    return (
        _(
            "Equal in S with %(name)s (place %(rank)s); placed before them by %(key)s "
            "(%(mine)s against %(theirs)s)."
        )
        % values
    )


@dataclass
class Events:
    lines: list[dict[str, Any]] = field(default_factory=list)
    max: str | None = None


def _events(found: dict[str, Any], items: dict[str, dict[str, Any]]) -> Events:
    lines = []
    for item, count in found.get("events", {}).items():
        spec = items.get(item, {})
        points = Decimal(str(spec.get("points", 0)))
        cap = Decimal(str(spec.get("cap", 0)))
        lines.append({"name": spec.get("name", item), "count": count, "points": points,
                      "cap": cap, "value": min(points * count, cap)})  # fmt: skip
    return Events(lines, found.get("max"))


def candidate(run: ScoreRun, category: str, candidate_id: str) -> dict[str, Any]:
    """One candidate's numbers and how each is made, and why they stand where they do."""
    docs = documents(run)
    part = docs.result["categories"].get(category)
    if part is None:
        raise Http404
    found = [i for i, c in enumerate(part["candidates"]) if c["id"] == candidate_id]
    if not found:
        raise Http404
    at = found[0]
    me = part["candidates"][at]
    source = run.scheme_version.source
    order = _tie_break(source, category)
    why = []
    if at > 0:
        why.append(_compare(me, part["candidates"][at - 1], True, order))
    if at + 1 < len(part["candidates"]):
        why.append(_compare(me, part["candidates"][at + 1], False, order))
    scheme_doc = tomllib.loads(source)
    bonus = {i["id"]: i for i in scheme_doc.get("bonus", {}).get("items", [])}
    deduction = {i["id"]: i for i in scheme_doc.get("deduction", {}).get("items", [])}
    breakdown = me["breakdown"]
    lines = ScoreLine.objects.filter(run=run, unit=me["unit"]).order_by("id")
    own_line = next((x for x in lines if not x.candidate), None)
    line = next((x for x in lines if x.candidate == candidate_id), None)
    k = None
    if own_line is not None and line is not None:
        k = selectors.candidate_breakdown(line, own_line.document)
        k["unit"] = selectors.unit_breakdown(own_line.document)
        k["unit_k"] = own_line.k
    panel = breakdown["P"]
    ballot = breakdown["M"]
    # The documents' keys are sorted; the page shows them in the scheme's order.
    spec = scheme_doc["categories"][category]
    grades = spec["ballot"]["grades"]
    groups = [
        {"name": g["name"], "weight": g["weight"], "mean": g["mean"],
         "counts": [(grade, g["counts"].get(grade, 0)) for grade in grades]}
        for g in (ballot["groups"][gid] for gid in spec["ballot"]["groups"]
                  if gid in ballot["groups"])
    ]  # fmt: skip
    dimensions = panel.get("dimensions", {})
    stats: dict[str, Any] = (docs.statistics or {}).get("categories", {}).get(category) or {}
    boot = stats.get("bootstrap", {}).get(candidate_id)
    names = unit_names(run)
    return {
        "me": me,
        "unit_name": names.get(me["unit"], me["unit"]),
        "part": part,
        "formula": breakdown["S"],
        "k": k,
        "panel": {"judges": panel["judges"], "trimmed": panel["trimmed"], "mode": panel["mode"],
                  "dimensions": [(d, dimensions[d]) for d in spec["dimensions"]
                                 if d in dimensions],
                  "mean_rank": panel.get("mean_rank")},
        "ballot": {"groups": groups, "excellence_rate": _percent(float(ballot["excellence_rate"])),
                   "bottom_rate": _percent(float(ballot["bottom_rate"])),
                   "grades_counted": ballot["grades_counted"]},
        "bonus": _events(breakdown["B"], bonus),
        "deduction": _events(breakdown["D"], deduction),
        "tie_break": [_tie_names()[key] for key in order if key in TIE_KEYS],
        "why": why,
        "boot": None if not boot else {
            "span": _rank_span(*boot["rank_95"]), "inside": _percent(boot["p_inside_quota"]),
            "dirichlet": _percent(stats["dirichlet_inside_quota"].get(candidate_id)),
        },
    }  # fmt: skip


# What-if ------------------------------------------------------------------------------------


class WhatIfProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def whatif(run: ScoreRun, category: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The run's facts scored again with the category's weights, quota, threshold and unit
    cap changed; nothing is stored. Raises WhatIfProblems with the engine's messages."""
    doc = tomllib.loads(run.scheme_version.source)
    spec = doc["categories"][category]
    spec["weights"] = {c: changes[f"weight_{c}"] for c in "KPM"}
    spec["quota"] = changes["quota"]
    spec["threshold"] = "" if changes["threshold"] is None else changes["threshold"]
    if changes.get("unit_cap") is not None:
        spec["unit_cap"] = changes["unit_cap"]
    try:
        scheme = parse_scheme(doc)
        result = score(scheme, json.loads(run.facts))
    except InvalidInput as error:
        raise WhatIfProblems(list(error.problems)) from None
    part = to_document(result, explain=False)["categories"][category]
    return part


def place_problems(problems: list[Problem], category: str) -> tuple[dict[str, list[str]],
                                                                    list[Problem]]:  # fmt: skip
    """The engine's problems by the what-if's field they concern, and the others."""
    where = f"scheme.categories.{category}."
    fields = {"weights": "weight_K", "weights.K": "weight_K", "weights.P": "weight_P",
              "weights.M": "weight_M", "quota": "quota", "threshold": "threshold",
              "unit_cap": "unit_cap"}  # fmt: skip
    placed: dict[str, list[str]] = {}
    others = []
    for problem in problems:
        name = fields.get(problem.location.removeprefix(where))
        if problem.location.startswith(where) and name is not None:
            placed.setdefault(name, []).append(problem.message)
        else:
            others.append(problem)
    return placed, others


def compare(official: list[Row], part: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The what-if's rows, each with its official place and what changed."""
    before = {row.id: row for row in official}
    rows = rows_of(part, names)
    shown = []
    for row in rows:
        was = before.get(row.id)
        moved = ""
        if was is not None and was.seated != row.seated:
            moved = "in" if row.seated else "out"
        shown.append({"row": row, "was": was, "moved": moved,
                      "change": 0 if was is None else was.rank - row.rank})  # fmt: skip
    return {
        "rows": shown,
        "moved_in": [x["row"] for x in shown if x["moved"] == "in"],
        "moved_out": [x["row"] for x in shown if x["moved"] == "out"],
        "part": part,
    }
