"""The result document as columns: one `.npz` of plain arrays, for results at scale.

The JSON document (`report.to_document`) builds a dictionary per candidate: at national
scale (half a million candidates) that alone takes longer than the computation. The
columns hold the same facts as arrays, written in one go: per category its rows in rank
order (candidate, K P M B D S in cents, rank, status, reasons, and with `explain` each
row's breakdown), the candidates' and units' ids and names, with `explain` each unit's
indicators and records, and a `meta` entry of JSON text (versions, hashes, the category
summaries and the scheme's names and weights the breakdowns refer to).

`read_columns(path)` gives them back; its `document()` is exactly the JSON document
`to_document(result, explain=…)` of the same result, so that nothing is lost by writing
columns. The file is an uncompressed zip of `.npy` arrays that numpy reads without pickle
(`np.load(path, allow_pickle=False)`); strings are UTF-8 bytes with offsets, ragged lists
values with offsets; layout in docs/scheme.md.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from sanhao.scoring.codes import Category, Component, Reason, ReasonCode, Status, VoidCode
from sanhao.scoring.engine import STATUSES
from sanhao.scoring.gcpause import paused_gc
from sanhao.scoring.report import _default, to_document
from sanhao.scoring.results import (
    BallotBreakdown,
    Breakdown,
    CandidateScore,
    CategorySummary,
    GroupLine,
    IndicatorLine,
    KRule,
    PanelBreakdown,
    RecordLine,
    Result,
    UnitBreakdown,
    _events,
    cents,
)
from sanhao.scoring.scheme import Item

LAYOUT = 1
COMPONENTS: tuple[Component, ...] = tuple(Component)
CODES: tuple[ReasonCode | VoidCode, ...] = (*ReasonCode, *VoidCode)
_CODE_INDEX = {code: i for i, code in enumerate(CODES)}
NUMBERS = ("k", "p", "m", "b", "d", "s")

__all__ = ["ColumnResult", "read_columns", "write_columns"]


def _put_strings(arrays: dict[str, np.ndarray], name: str, values: Sequence[str]) -> None:
    encoded = [value.encode() for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)),
              out=offsets[1:])  # fmt: skip
    arrays[f"{name}.utf8"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    arrays[f"{name}.offsets"] = offsets


def _strings(arrays: dict[str, np.ndarray], name: str) -> list[str]:
    blob = arrays[f"{name}.utf8"].tobytes()
    bounds = arrays[f"{name}.offsets"].tolist()
    return [blob[a:b].decode() for a, b in pairwise(bounds)]


def _put_ragged(arrays: dict[str, np.ndarray], name: str, lists: Sequence[Sequence[int]]) -> None:
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = [value for values in lists for value in values]
    arrays[f"{name}.values"] = np.array(flat, dtype=np.int64)
    arrays[f"{name}.offsets"] = offsets


def _ragged(arrays: dict[str, np.ndarray], name: str) -> list[tuple[int, ...]]:
    values = arrays[f"{name}.values"].tolist()
    bounds = arrays[f"{name}.offsets"].tolist()
    return [tuple(values[a:b]) for a, b in pairwise(bounds)]


def _code(code: str) -> ReasonCode | VoidCode:
    return ReasonCode(code) if code in ReasonCode._value2member_map_ else VoidCode(code)


def _reason(data: Any) -> Reason:
    return Reason(_code(data["code"]), dict(data["params"]))


def write_columns(result: Result, path: str | Path, *, explain: bool = True,
                  statistics: dict[str, Any] | None = None) -> int:  # fmt: skip
    """The result's columns in `path` (written whole or not at all); the file's bytes.
    `statistics` (stats.py's document, small whatever the scale) goes in `meta`."""
    with paused_gc():
        return _write_columns(result, path, explain=explain, statistics=statistics)


def _write_columns(result: Result, path: str | Path, *, explain: bool,
                   statistics: dict[str, Any] | None) -> int:  # fmt: skip
    facts = result.facts
    arrays: dict[str, np.ndarray] = {}
    _put_strings(arrays, "candidates/id", facts.cand_ids)
    _put_strings(arrays, "candidates/name", facts.cand_names)
    arrays["candidates/unit"] = np.asarray(facts.cand_unit, dtype=np.int64)
    _put_strings(arrays, "units/id", facts.unit_ids)
    _put_strings(arrays, "units/name", facts.unit_names)
    categories: dict[str, Any] = {}
    for key, category in result.categories.items():
        spec, order = category.spec, category.order
        n = len(order)
        at = f"{key}/"
        arrays[at + "candidate"] = category.members[order].astype(np.int64)
        for name in NUMBERS:
            arrays[at + name] = getattr(category, name)[order]
        arrays[at + "top"] = category.top[order]
        arrays[at + "bottom"] = category.bottom[order]
        arrays[at + "counted"] = category.ballots_counted[order]
        arrays[at + "sheets"] = category.panel_judges[order]
        arrays[at + "rank"] = category.rank[order]
        arrays[at + "tied"] = category.tied[order]
        arrays[at + "status"] = category.status[order]
        # Only the rows that have reasons, missing components or overseen indicators are
        # visited: at scale most have none.
        incomplete = np.zeros((n, len(COMPONENTS)), dtype=bool)
        some = np.fromiter(map(len, category.incomplete), dtype=np.int64, count=n)[order]
        for row in np.flatnonzero(some).tolist():
            for component in category.incomplete[order[row]]:
                incomplete[row, COMPONENTS.index(component)] = True
        arrays[at + "incomplete"] = incomplete
        reason_count = np.fromiter(map(len, category.reasons), dtype=np.int64, count=n)[order]
        reason_code: list[int] = []
        reason_params: list[str] = []
        written: dict[int, str] = {}  # the rules share their Reason objects: each once
        for row in np.flatnonzero(reason_count).tolist():
            for reason in category.reasons[order[row]]:
                reason_code.append(_CODE_INDEX[reason.code])
                text = written.get(id(reason))
                if text is None:
                    text = written[id(reason)] = json.dumps(dict(reason.params),
                                                            ensure_ascii=False)  # fmt: skip
                reason_params.append(text)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(reason_count, out=offsets[1:])
        arrays[at + "reasons.offsets"] = offsets
        arrays[at + "reasons.code"] = np.array(reason_code, dtype=np.int8)
        _put_strings(arrays, at + "reasons.params", reason_params)
        if explain:
            part = category.panel
            if part.dimensions is not None:
                arrays[at + "dimensions"] = part.dimensions[order, : len(spec.dimensions)]
            if part.mean_rank is not None:
                arrays[at + "mean_rank"] = part.mean_rank[order]
            arrays[at + "counts"] = category.ballot.counts[order]
            arrays[at + "group_mean"] = category.ballot.group_mean[order]
            has = np.zeros(n, dtype=bool)
            has[np.fromiter(category.overseen, dtype=np.int64, count=len(category.overseen))] = True
            has = has[order]
            arrays[at + "overseen.has"] = has
            lists: list[tuple[int, ...]] = [()] * n
            for row in np.flatnonzero(has).tolist():
                lists[row] = category.overseen[int(order[row])]
            _put_ragged(arrays, at + "overseen", lists)
        categories[key] = {
            "name": spec.name, "quota": spec.quota,
            "threshold": None if spec.threshold is None else str(spec.threshold),
            "unit_cap": spec.unit_cap, "empty_seats": category.empty_seats,
            "seats_for_deliberation": category.seats_for_deliberation,
            "void_sheets": {k: v.to_json() for k, v in category.panel.void_sheets.items()},
            "void_sessions": {k: v.to_json() for k, v in category.ballot.void_sessions.items()},
            "void_ballots": category.ballot.void_ballots,
            "mode": spec.panel.mode, "trim_above": spec.panel.trim_above,
            "dimensions": list(spec.dimensions), "grades": list(spec.ballot.grades),
            "groups": [[g, name, str(w)] for g, name, w in zip(
                spec.ballot.groups, spec.ballot.group_names, spec.ballot.group_weights,
                strict=True)],
            "weights": {k: str(v) for k, v in spec.weights.items()},
        }  # fmt: skip
    meta: dict[str, Any] = {
        "layout": LAYOUT, "explain": explain,
        "engine_version": result.engine_version, "scheme_version": result.scheme_version,
        "scheme_hash": result.scheme_hash, "input_hash": result.input_hash, "year": result.year,
        "categories": categories, "statuses": [str(s) for s in STATUSES],
        "codes": [str(c) for c in CODES], "components": [str(c) for c in COMPONENTS],
    }  # fmt: skip
    if statistics is not None:
        meta["statistics"] = statistics
    if explain:
        meta.update(_scheme_meta(result))
        _put_unit_columns(result, arrays)
    text = json.dumps(meta, ensure_ascii=False, sort_keys=True, default=_default)
    arrays["meta"] = np.array(text)
    target = Path(path)
    # A name of its own beside the target, renamed when whole: two writers of one target
    # do not write into each other's file, and a killed one leaves the old file as it was.
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, allow_pickle=False, **arrays)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _scheme_meta(result: Result) -> dict[str, Any]:
    scheme = result.scheme

    def items(found: Sequence[Item]) -> list[list[str]]:
        return [[i.id, i.name, str(i.points), str(i.cap)] for i in found]

    return {
        "bonus_items": items(scheme.bonus_items), "deduction_items": items(scheme.deduction_items),
        "bonus_max": None if scheme.bonus_max is None else str(scheme.bonus_max),
        "deduction_max": None if scheme.deduction_max is None else str(scheme.deduction_max),
        "indicators": [[i.id, i.name, str(i.points), i.growth_method, str(i.alpha)]
                       for i in scheme.indicators],
        "process_points": str(scheme.process_points),
        "records": [[r.type, r.name, r.expected] for r in scheme.records],
    }  # fmt: skip


def _put_unit_columns(result: Result, arrays: dict[str, np.ndarray]) -> None:
    facts, q, scheme = result.facts, result.quantified, result.scheme
    arrays["candidates/bonus"] = np.asarray(facts.bonus_counts)
    arrays["candidates/deduction"] = np.asarray(facts.deduction_counts)
    for name in ("completion", "growth", "s_a", "s_b", "s", "growth_rank"):
        arrays[f"units/{name}"] = getattr(q, name)
    arrays["units/k"] = q.k_unit
    arrays["units/process"] = q.s_proc
    arrays["units/on_time"] = np.asarray(facts.records_on_time)
    n_units, n_ind, n_rec = len(facts.unit_ids), len(scheme.indicators), len(scheme.records)
    cells = [(u, j) for u in range(n_units) for j in range(n_ind)]
    for place, name in enumerate(("actual", "plan", "prior")):
        _put_strings(arrays, f"units/{name}",
                     [str(facts.ind_exact[cell][place]) for cell in cells])  # fmt: skip
    details = [facts.records_detail.get((u, k), ([], [])) for u in range(n_units)
               for k in range(n_rec)]  # fmt: skip
    _put_ragged(arrays, "units/missing", [d[0] for d in details])
    _put_ragged(arrays, "units/late", [d[1] for d in details])


class ColumnResult:
    """A result read back from its columns: `document()` is its JSON document; `arrays`
    the columns themselves (for a program that wants the numbers, not the document)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.meta: dict[str, Any] = json.loads(str(arrays["meta"]))
        if self.meta.get("layout") != LAYOUT:
            raise ValueError(f"结果文件的格式版本 {self.meta.get('layout')} 不是 {LAYOUT}")
        self.arrays = arrays
        self.explain: bool = self.meta["explain"]
        self.engine_version: str = self.meta["engine_version"]
        self.scheme_version: str = self.meta["scheme_version"]
        self.scheme_hash: str = self.meta["scheme_hash"]
        self.input_hash: str = self.meta["input_hash"]
        self.year: int = self.meta["year"]
        self._cand_ids = _strings(arrays, "candidates/id")
        self._cand_names = _strings(arrays, "candidates/name")
        self._unit_ids = _strings(arrays, "units/id")
        self._unit_names = _strings(arrays, "units/name")
        self._unit_of: list[int] = arrays["candidates/unit"].tolist()
        self._units: list[UnitBreakdown] | None = None
        self._statuses = [Status(s) for s in self.meta["statuses"]]
        self._codes = [_code(c) for c in self.meta["codes"]]
        self._components = [Component(c) for c in self.meta["components"]]
        if self.explain:  # what every row's breakdown refers to, read once
            meta = self.meta
            self._indicator_ids = [ind[0] for ind in meta["indicators"]]
            self._bonus_items = _items(meta["bonus_items"])
            self._deduction_items = _items(meta["deduction_items"])
            self._bonus_max = _decimal_or_none(meta["bonus_max"])
            self._deduction_max = _decimal_or_none(meta["deduction_max"])

    def category_keys(self) -> list[str]:
        return list(self.meta["categories"])

    def summary(self, category: Category | str) -> CategorySummary:
        key = str(category)
        info = self.meta["categories"][key]
        status = self.arrays[f"{key}/status"]
        cand = self.arrays[f"{key}/candidate"]

        def marked(wanted: Status) -> tuple[str, ...]:
            rows = np.flatnonzero(status == self._statuses.index(wanted))
            return tuple(self._cand_ids[i] for i in cand[rows].tolist())

        return CategorySummary(
            category=Category(key), name=info["name"], quota=info["quota"],
            threshold=None if info["threshold"] is None else Decimal(info["threshold"]),
            unit_cap=info["unit_cap"], awarded=marked(Status.AWARDED),
            boundary_tie=marked(Status.BOUNDARY_TIE), unit_cap_tie=marked(Status.UNIT_CAP_TIE),
            seats_for_deliberation=info["seats_for_deliberation"],
            empty_seats=info["empty_seats"],
            void_sheets={k: _reason(v) for k, v in info["void_sheets"].items()},
            void_sessions={k: _reason(v) for k, v in info["void_sessions"].items()},
            void_ballots=info["void_ballots"],
        )  # fmt: skip

    def ranked(self, category: str, *, explain: bool
               ) -> Iterator[tuple[CandidateScore, Breakdown | None]]:  # fmt: skip
        """The category's rows in rank order, each with its breakdown when `explain` (which
        needs columns written with `explain`)."""
        if explain and not self.explain:
            raise ValueError("结果文件写入时未包含计分明细")
        a, key = self.arrays, str(category)
        at = f"{key}/"
        info = self.meta["categories"][key]
        statuses, codes, components = self._statuses, self._codes, self._components
        cand = a[at + "candidate"].tolist()
        numbers = [a[at + name].tolist() for name in NUMBERS]
        top, bottom, counted = (a[at + n].tolist() for n in ("top", "bottom", "counted"))
        sheets, rank, tied = (a[at + n].tolist() for n in ("sheets", "rank", "tied"))
        status = a[at + "status"].tolist()
        incomplete = a[at + "incomplete"].tolist()
        bounds = a[at + "reasons.offsets"].tolist()
        reason_codes = a[at + "reasons.code"].tolist()
        params = _strings(a, at + "reasons.params")
        units = self._unit_ids
        for row, i in enumerate(cand):
            u = self._unit_of[i]
            n = counted[row]
            found = tuple(Reason(codes[reason_codes[r]], json.loads(params[r]))
                          for r in range(bounds[row], bounds[row + 1]))  # fmt: skip
            score = CandidateScore(
                id=self._cand_ids[i], name=self._cand_names[i], category=Category(key),
                unit=units[u], unit_name=self._unit_names[u],
                k=cents(numbers[0][row]), p=cents(numbers[1][row]), m=cents(numbers[2][row]),
                b=cents(numbers[3][row]), d=cents(numbers[4][row]), s=cents(numbers[5][row]),
                rank=rank[row], tied=tied[row],
                excellence_rate=Fraction(top[row], n) if n else Fraction(0),
                bottom_rate=Fraction(bottom[row], n) if n else Fraction(0),
                grades_counted=n, panel_sheets=sheets[row], reasons=found,
                incomplete=tuple(c for c, on in zip(components, incomplete[row], strict=True)
                                 if on),
                status=statuses[status[row]],
            )  # fmt: skip
            yield score, self._breakdown(key, info, row, i, u, score) if explain else None

    def _breakdown(self, key: str, info: dict[str, Any], row: int, i: int, u: int,
                   score: CandidateScore) -> Breakdown:  # fmt: skip
        a = self.arrays
        at = f"{key}/"
        indicators = self._indicator_ids
        overseen = None
        if a[at + "overseen.has"][row]:
            start, end = a[at + "overseen.offsets"][row : row + 2].tolist()
            overseen = tuple(indicators[j] for j in a[at + "overseen.values"][start:end].tolist())
        dims: tuple[tuple[str, float], ...] = ()
        if at + "dimensions" in a:
            dims = tuple(zip(info["dimensions"], a[at + "dimensions"][row].tolist(), strict=True))
        mean_rank = None
        if at + "mean_rank" in a:
            value = float(a[at + "mean_rank"][row])
            mean_rank = value if np.isfinite(value) else None
        panel = PanelBreakdown(info["mode"], score.panel_sheets,
                               score.panel_sheets > info["trim_above"], dims, mean_rank)  # fmt: skip
        counts = a[at + "counts"][row].tolist()
        means = a[at + "group_mean"][row].tolist()
        groups = tuple(
            GroupLine(g, name, Decimal(weight), tuple(zip(info["grades"], counts[x], strict=True)),
                      means[x] if sum(counts[x]) else None)
            for x, (g, name, weight) in enumerate(info["groups"])
        )  # fmt: skip
        ballot = BallotBreakdown(groups, score.excellence_rate, score.bottom_rate,
                                 score.grades_counted)  # fmt: skip
        return Breakdown(
            candidate=score,
            k=KRule(overseen, self._unit_list()[u]),
            p=panel, m=ballot,
            b=_events(a["candidates/bonus"][i].tolist(), self._bonus_items, self._bonus_max),
            d=_events(a["candidates/deduction"][i].tolist(), self._deduction_items,
                      self._deduction_max),
            weights={k: Decimal(v) for k, v in info["weights"].items()},
        )  # fmt: skip

    def _unit_list(self) -> list[UnitBreakdown]:
        if self._units is None:
            self._units = list(self._read_units())
        return self._units

    def _read_units(self) -> Iterator[UnitBreakdown]:
        a, meta = self.arrays, self.meta
        indicators, records = meta["indicators"], meta["records"]
        n_ind, n_rec = len(indicators), len(records)
        exact = {name: _strings(a, f"units/{name}") for name in ("actual", "plan", "prior")}
        missing, late = _ragged(a, "units/missing"), _ragged(a, "units/late")
        q = {name: a[f"units/{name}"].tolist()
             for name in ("completion", "growth", "s_a", "s_b", "s", "growth_rank")}  # fmt: skip
        on_time = a["units/on_time"].tolist()
        for u, uid in enumerate(self._unit_ids):
            lines = []
            for j, (ind_id, name, points, method, alpha) in enumerate(indicators):
                cell = u * n_ind + j
                growth = q["growth"][u][j]
                defined = bool(np.isfinite(growth))
                lines.append(IndicatorLine(
                    indicator=ind_id, name=name, points=Decimal(points),
                    actual=Decimal(exact["actual"][cell]), plan=Decimal(exact["plan"][cell]),
                    prior=Decimal(exact["prior"][cell]), completion=q["completion"][u][j],
                    completion_part=q["s_a"][u][j], growth=growth if defined else None,
                    growth_part=q["s_b"][u][j] if defined else None,
                    growth_rank=int(q["growth_rank"][u][j]) if defined else None,
                    method=method, alpha=Decimal(alpha), score=q["s"][u][j],
                ))  # fmt: skip
            lines_r = tuple(
                RecordLine(rtype, name, expected, int(on_time[u][k]), missing[u * n_rec + k],
                           late[u * n_rec + k])
                for k, (rtype, name, expected) in enumerate(records)
            )  # fmt: skip
            yield UnitBreakdown(uid, self._unit_names[u], float(a["units/k"][u]), tuple(lines),
                                Decimal(meta["process_points"]), float(a["units/process"][u]),
                                lines_r)  # fmt: skip

    def unit_breakdowns(self) -> Iterator[UnitBreakdown]:
        if not self.explain:
            raise ValueError("结果文件写入时未包含计分明细")
        yield from self._unit_list()

    def document(self, *, explain: bool | None = None, language: str = "zh") -> dict[str, Any]:
        """The JSON document of the result (`report.to_document`): `to_json` of the two
        gives the same bytes."""
        document = to_document(self, explain=self.explain if explain is None else explain,
                               language=language)  # fmt: skip
        if "statistics" in self.meta:
            document["statistics"] = self.meta["statistics"]
        return document


def _items(rows: list[list[str]]) -> tuple[Item, ...]:
    return tuple(Item(r[0], r[1], Decimal(r[2]), Decimal(r[3])) for r in rows)


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def read_columns(path: str | Path) -> ColumnResult:
    with np.load(path, allow_pickle=False) as stored:
        return ColumnResult({name: stored[name] for name in stored.files})
