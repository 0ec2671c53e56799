"""What the engine makes of a session's sheets: P per candidate, void sheets, Kendall's W.

Nothing here computes a score by itself: the sheets become the engine's facts (the `panel`
list of docs/scheme.md) and `sanhao.scoring.score` does the rest, so the numbers shown at
a session's close, and the void warnings a judge reads before submitting, are the ones
the year's ranking run computes from the same sheets.

The facts given to the engine here hold the units, the candidates and the sheets only:
P depends on nothing else. The scheme is the year's, less its indicators and process
records, which the facts would otherwise have to carry for every unit (they make K).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from sanhao.scoring import Category, Reason, Result, Scheme, VoidCode, loads_scheme, score
from sanhao.scoring.scheme import CategoryRules
from sanhao.scoring.stats import kendall_w


@functools.lru_cache(maxsize=16)
def scheme_of(source: str) -> Scheme:
    """The engine's scheme of a version's text (a version never changes: cached)."""
    return loads_scheme(source)


def panel_only(scheme: Scheme) -> Scheme:
    return dataclasses.replace(scheme, indicators=(), records=())


@dataclass(frozen=True)
class SheetRow:
    """A counted sheet as the engine reads it."""

    id: str  # the engine's sheet id
    judge: str  # shown name
    judge_unit: str | None  # the unit code the judge abstains on (their own), if one
    cells: Mapping[str, Sequence[str]]


def sheet_fact(category: str, mode: str, row: SheetRow, keep: Any = None) -> dict[str, Any]:
    """The engine's SheetFact (sanhao/scoring/formats.py) of a sheet; `keep`: a set of
    the candidate ids to keep (the others' cells are left out), None for all."""
    cells = {c: v for c, v in row.cells.items() if (keep is None or c in keep) and all(v)}
    fact: dict[str, Any] = {"id": row.id, "judge": row.judge[:200], "category": category}
    if row.judge_unit:
        fact["judge_unit"] = row.judge_unit
    if mode == "rank":
        fact["ranks"] = {c: int(v[0]) for c, v in cells.items()}
    else:
        fact["scores"] = {c: list(v) for c, v in cells.items()}
    return fact


def evaluate(scheme: Scheme, category: str, year: int, units: Iterable[tuple[str, str]],
             candidates: Iterable[tuple[str, str, str]], sheets: Sequence[SheetRow],
             mode: str) -> Result:  # fmt: skip
    """The engine on the sheets: units (code, name), candidates (id, unit code, name)."""
    facts = {
        "format": 1,
        "year": year,
        "units": [{"id": code, "name": name} for code, name in units],
        "candidates": [
            {"id": c, "category": category, "unit": u, "name": n} for c, u, n in candidates
        ],
        "panel": [sheet_fact(category, mode, s) for s in sheets],
    }
    return score(panel_only(scheme), facts)


VOID_TEXT: dict[object, Callable[[Mapping[str, str]], str]] = {
    VoidCode.SHEET_EQUAL_TOTALS: lambda p: _("every candidate has the same total"),
    VoidCode.SHEET_TOO_MANY_HIGH: lambda p: (
        _("more than %(limit)s candidates have a total of %(total)s or more")
        % {"limit": p.get("limit", ""), "total": p.get("total", "")}
    ),
}


def void_text(reason: Reason) -> str:
    text = VOID_TEXT.get(reason.code)
    return text(reason.params) if text else str(reason.code)


def agreement(sheets: Sequence[SheetRow], mode: str) -> dict[str, Any] | None:
    """Kendall's W (with the tie correction) of the valid sheets: a complete table is
    needed, so either every sheet over the candidates all of them scored, or the sheets
    that scored every candidate (as the engine's statistics take them), whichever table
    is larger. None when no table has two sheets and two candidates."""
    scored = [{c for c, v in s.cells.items() if all(v)} for s in sheets]
    if len(sheets) < 2:
        return None
    common = set.intersection(*scored)
    everyone = set.union(*scored)
    complete = [s for s, found in zip(sheets, scored, strict=True) if found >= everyone]
    tables = [(sheets, common), (complete, everyone)]
    chosen, columns = max(tables, key=lambda t: (len(t[0]) >= 2 and len(t[1]) >= 2,
                                                 len(t[0]) * len(t[1])))  # fmt: skip
    if len(chosen) < 2 or len(columns) < 2:
        return None
    order = sorted(columns)
    if mode == "rank":  # kendall_w ranks the highest first: a rank's negative
        table = [[-float(s.cells[c][0]) for c in order] for s in chosen]
    else:
        table = [[float(sum(Decimal(t) for t in s.cells[c])) for c in order] for s in chosen]
    return kendall_w(np.array(table, dtype=np.float64))


@dataclass(frozen=True)
class CandidateResult:
    id: str
    name: str
    unit: str
    sheets: int  # R
    trimmed: bool
    dimensions: list[tuple[str, str]]  # (dimension, P_ic to 2 places)
    mean_rank: str | None
    p: Decimal
    rank: int  # by P in the session, competition ranking (1, 2, 2, 4)


@dataclass(frozen=True)
class SessionResult:
    rules: CategoryRules
    candidates: list[CandidateResult]  # by P, best first
    void: list[tuple[str, str]]  # (judge, reason)
    counted: int  # sheets counted (valid and void)
    agreement: dict[str, Any] | None  # Kendall's W over the valid sheets


def session_result(scheme: Scheme, category: str, mode: str, year: int,
                   units: Iterable[tuple[str, str]],
                   candidates: Sequence[tuple[str, str, str]], sheets: Sequence[SheetRow],
                   shown: Sequence[str] | None = None) -> SessionResult:  # fmt: skip
    """The session's numbers from the engine; `shown`: the candidates to list (all by
    default; the others only complete the category, for the rank mode's N)."""
    result = evaluate(scheme, category, year, units, candidates, sheets, mode)
    rules = scheme.categories[Category(category)]
    void_found = result.summary(category).void_sheets
    judges = {s.id: s.judge for s in sheets}
    void = [(judges.get(k, k), void_text(r)) for k, r in void_found.items()]
    wanted = set(shown) if shown is not None else None
    rows = [(row, result.breakdown(row.id).p) for row in result.candidates(category)
            if wanted is None or row.id in wanted]  # fmt: skip
    rows.sort(key=lambda x: -x[0].p)
    out: list[CandidateResult] = []
    previous, place = None, 0
    for n, (row, part) in enumerate(rows, start=1):
        if row.p != previous:
            place, previous = n, row.p
        out.append(CandidateResult(
            id=row.id, name=row.name, unit=row.unit_name, sheets=row.panel_sheets,
            trimmed=part.trimmed,
            dimensions=[(d, f"{v:.2f}") for d, v in part.dimensions] if row.panel_sheets else [],
            mean_rank=None if part.mean_rank is None else f"{part.mean_rank:.2f}",
            p=row.p, rank=place,
        ))  # fmt: skip
    valid = [s for s in sheets if s.id not in void_found]
    return SessionResult(rules, out, void, len(sheets), agreement(valid, mode))


def sheet_void(scheme: Scheme, category: str, year: int, units: Iterable[tuple[str, str]],
               candidates: Sequence[tuple[str, str, str]], sheet: SheetRow,
               mode: str) -> str | None:  # fmt: skip
    """Why the engine would set this sheet aside (its complete rows), or None."""
    if mode != "score":
        return None
    result = evaluate(scheme, category, year, units, candidates, [sheet], mode)
    reason = result.summary(category).void_sheets.get(sheet.id)
    return None if reason is None else void_text(reason)
