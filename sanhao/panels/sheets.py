"""A judge's sheet as data: reading typed cells, totals, what is missing, which version
counts. Pure: rows in, values out; no query.

A sheet's `cells` map a candidate id to a list of texts: in score mode one per dimension
("" when not yet entered), in rank mode one, the rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from sanhao.lib.errors import DomainError

PLACES = 1  # a score has at most one decimal (the inputs' step is 0.1)
STEP = "0.1"


@dataclass(frozen=True)
class Rules:
    """What a sheet of a session may hold: the scheme's dimensions and maximum, the mode,
    the candidates (id → shown name) and the ones this judge abstains on."""

    mode: str  # "score" | "rank"
    dimensions: tuple[str, ...]
    descriptions: tuple[str, ...]
    dimension_max: Decimal
    candidates: Mapping[str, str]  # id → name, in reporting order
    abstains: frozenset[str]  # candidate ids the judge does not score

    @property
    def width(self) -> int:
        return len(self.dimensions) if self.mode == "score" else 1

    @property
    def scored(self) -> list[str]:
        """The candidates the judge scores, in reporting order."""
        return [c for c in self.candidates if c not in self.abstains]

    @property
    def total_max(self) -> Decimal:
        return self.dimension_max * len(self.dimensions)

    @property
    def total_text(self) -> str:
        return number_text(self.total_max)

    @property
    def cells_expected(self) -> int:
        return len(self.scored) * self.width


def number_text(value: Decimal) -> str:
    """23.50 → "23.5", 20 → "20": the shortest text of the value."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _where(rules: Rules, candidate: str, index: int) -> str:
    name = rules.candidates.get(candidate, candidate)
    if rules.mode == "rank":
        return _("%(name)s, rank") % {"name": name}
    return f"{name}·{rules.dimensions[index]}"


def read_score(text: str, rules: Rules, candidate: str, index: int) -> str:
    """A score typed by a judge, checked: "" (empty) or its shortest text."""
    text = (text or "").strip()
    if not text:
        return ""
    where = _where(rules, candidate, index)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DomainError(
            _("%(where)s: “%(text)s” is not a number.") % {"where": where, "text": text[:20]}
        ) from None
    if not value.is_finite():
        raise DomainError(
            _("%(where)s: “%(text)s” is not a number.") % {"where": where, "text": text[:20]}
        )
    if rules.mode == "rank":
        n = len(rules.scored)
        if value != value.to_integral_value() or not 1 <= value <= n:
            raise DomainError(
                _("%(where)s: a rank is a whole number from 1 to %(n)s, not %(text)s.")
                % {"where": where, "n": n, "text": text[:20]}
            )
        return str(int(value))
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > PLACES:
        raise DomainError(
            _("%(where)s: a score has at most one decimal, not %(text)s.")
            % {"where": where, "text": text[:20]}
        )
    if not 0 <= value <= rules.dimension_max:
        raise DomainError(
            _("%(where)s: a score is from 0 to %(max)s, not %(text)s.")
            % {"where": where, "max": number_text(rules.dimension_max), "text": text[:20]}
        )
    return number_text(value)


def merge_cells(
    rules: Rules, current: Mapping[str, Sequence[str]], typed: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """The sheet's cells after `typed` (candidate → texts, a full row each) replaced
    theirs; every typed text checked. Raises DomainError on the first bad one, naming
    its candidate and dimension: then nothing is saved."""
    cells = {c: list(v) for c, v in current.items() if c in rules.candidates}
    for candidate, texts in typed.items():
        if candidate not in rules.candidates:
            raise DomainError(
                _("%(candidate)s is not a candidate of this session.")
                % {"candidate": str(candidate)[:100]}
            )
        if len(texts) != rules.width:
            raise DomainError(
                _("%(name)s: %(n)s scores expected.")
                % {"name": rules.candidates[candidate], "n": rules.width}
            )
        row = [read_score(t, rules, candidate, i) for i, t in enumerate(texts)]
        if candidate in rules.abstains:
            if any(row):
                raise DomainError(
                    _("%(name)s is of a unit you abstain on: you do not score them.")
                    % {"name": rules.candidates[candidate]}
                )
            continue
        if any(row):
            cells[candidate] = row
        else:
            cells.pop(candidate, None)
    return cells


def filled(rules: Rules, cells: Mapping[str, Sequence[str]]) -> int:
    """How many cells of the candidates the judge scores hold a value."""
    return sum(1 for c in rules.scored for t in cells.get(c, ()) if t)


def total(cells: Mapping[str, Sequence[str]], candidate: str) -> Decimal | None:
    """A candidate's total of the entered scores (None when none is entered)."""
    row = []
    for text in cells.get(candidate, ()):
        try:
            row.append(Decimal(text))
        except InvalidOperation:  # a text typed wrong, shown back to the judge
            continue
    row = [v for v in row if v.is_finite()]
    return sum(row, Decimal(0)) if row else None


@dataclass(frozen=True)
class Review:
    """A sheet as the judge reviews it before submitting."""

    rows: list[dict[str, Any]]  # per candidate in reporting order
    missing: list[str]  # "name·dimension" of every empty cell
    problems: list[str]  # what stops the submission (besides missing cells)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.problems


def review(rules: Rules, cells: Mapping[str, Sequence[str]]) -> Review:
    rows, missing, problems = [], [], []
    for candidate, name in rules.candidates.items():
        abstain = candidate in rules.abstains
        row = list(cells.get(candidate, [""] * rules.width))
        if not abstain:
            missing += [_where(rules, candidate, i) for i, t in enumerate(row) if not t]
        rows.append({"id": candidate, "name": name, "abstain": abstain, "cells": row,
                     "total": None if abstain else total(cells, candidate),
                     "complete": abstain or all(row)})  # fmt: skip
    if rules.mode == "rank":
        ranks = [cells[c][0] for c in rules.scored if cells.get(c) and cells[c][0]]
        repeated = sorted({r for r in ranks if ranks.count(r) > 1}, key=int)
        if repeated:
            problems.append(
                _("Each rank is given once; given more than once: %(ranks)s.")
                % {"ranks": "、".join(repeated)}
            )
    return Review(rows, missing, problems)


@dataclass(frozen=True)
class JudgeSheets:
    """A judge's submitted versions of a session, folded: which counts, which waits."""

    counted: Any | None  # the SheetVersion that counts
    pending: Any | None  # a correction waiting for the office's decision
    latest: Any | None  # the newest version, whatever its fate


def fold(versions: Iterable[Any]) -> JudgeSheets:
    """Versions of one judge and session (with `decision` fetched), in any order."""
    counted = latest = None
    for version in sorted(versions, key=lambda v: v.number):
        latest = version
        if version.number == 1 or _decision(version) is True:
            counted = version
    # Only one correction waits at a time (the next one is refused meanwhile): the newest.
    pending = (
        latest if latest is not None and _decision(latest) is None and latest.number > 1 else None
    )
    return JudgeSheets(counted, pending, latest)


def _decision(version: Any) -> bool | None:
    """True: accepted, False: rejected, None: not decided (or the first version)."""
    decision = getattr(version, "decision", None)
    return None if decision is None else bool(decision.accepted)
