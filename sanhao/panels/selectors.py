"""Reading sessions and sheets, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sanhao.panels.models import (
    PanelCandidate,
    PanelJudge,
    PanelSession,
    SheetDraft,
    SheetVersion,
)
from sanhao.panels.results import SheetRow, scheme_of
from sanhao.panels.sheets import JudgeSheets, Rules, fold
from sanhao.rankings.services import current_scheme
from sanhao.scoring import Category, Scheme
from sanhao.scoring.scheme import CategoryRules


def year_scheme(session: PanelSession) -> Scheme:
    """The engine's scheme of the session's year (its newest version): one query."""
    return scheme_of(current_scheme(session.year).source)


def category_rules(session: PanelSession, scheme: Scheme | None = None) -> CategoryRules:
    return (scheme or year_scheme(session)).categories[Category(session.category)]


def candidates_of(session: PanelSession) -> list[PanelCandidate]:
    return list(
        PanelCandidate.objects.filter(session=session)
        .select_related("unit")
        .order_by("order", "id")
    )


def judges_of(session_ids: Iterable[int]) -> list[PanelJudge]:
    """The seats of the sessions with their judges and abstentions (two queries)."""
    return list(
        PanelJudge.objects.filter(session_id__in=list(session_ids))
        .select_related("judge").prefetch_related("abstains").order_by("session_id", "id")
    )  # fmt: skip


def abstained(seat: PanelJudge, candidates: Sequence[PanelCandidate]) -> frozenset[str]:
    units = {u.pk for u in seat.abstains.all()}
    return frozenset(c.candidate for c in candidates if c.unit_id in units)


def rules_for(session: PanelSession, candidates: Sequence[PanelCandidate],
              seat: PanelJudge | None, scheme: Scheme | None = None) -> Rules:  # fmt: skip
    spec = category_rules(session, scheme)
    return Rules(
        mode=session.mode,
        dimensions=spec.dimensions,
        descriptions=spec.descriptions,
        dimension_max=spec.panel.dimension_max,
        candidates={c.candidate: c.name for c in candidates},
        abstains=abstained(seat, candidates) if seat is not None else frozenset(),
    )


def versions_of(
    session_ids: Iterable[int], judge: Any = None
) -> dict[tuple[int, int], JudgeSheets]:
    """Every judge's versions of the sessions, folded, by (session, judge): one query."""
    rows = SheetVersion.objects.filter(session_id__in=list(session_ids)).select_related(
        "decision", "judge"
    )
    if judge is not None:
        rows = rows.filter(judge=judge)
    grouped: dict[tuple[int, int], list[SheetVersion]] = defaultdict(list)
    for version in rows.order_by("session_id", "judge_id", "number"):
        grouped[(version.session_id, version.judge_id)].append(version)
    return {key: fold(found) for key, found in grouped.items()}


def drafts_of(session_ids: Iterable[int], judge: Any = None) -> dict[tuple[int, int], SheetDraft]:
    rows = SheetDraft.objects.filter(session_id__in=list(session_ids))
    if judge is not None:
        rows = rows.filter(judge=judge)
    return {(d.session_id, d.judge_id): d for d in rows}


def sheet_id(session_id: int, judge_id: int, number: int) -> str:
    return f"panel-{session_id}-{judge_id}-v{number}"


@dataclass(frozen=True)
class Counted:
    session: PanelSession
    sheets: list[SheetRow]


def counted_sheets(sessions: Sequence[PanelSession]) -> list[Counted]:
    """The sheet that counts of every judge of the sessions (three queries in all)."""
    ids = [s.pk for s in sessions]
    folded = versions_of(ids)
    seats = {(seat.session_id, seat.judge_id): seat for seat in judges_of(ids)}
    out = []
    for session in sessions:
        rows = []
        for (session_id, judge_id), sheets in sorted(folded.items()):
            if session_id != session.pk or sheets.counted is None:
                continue
            version = sheets.counted
            seat = seats.get((session_id, judge_id))
            units = sorted((u.order, u.code) for u in seat.abstains.all()) if seat else []
            rows.append(SheetRow(
                id=sheet_id(session_id, judge_id, version.number),
                judge=str(seat.judge) if seat else str(judge_id),
                judge_unit=units[0][1] if units else None,
                cells=version.cells,
            ))  # fmt: skip
        out.append(Counted(session, rows))
    return out
