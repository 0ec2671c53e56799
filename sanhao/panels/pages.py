"""What the panel pages show, read in a fixed number of queries whatever the number of
candidates and judges. The office's pages show no score before the close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.campaigns.models import CampaignYear
from sanhao.panels.candidates import category_candidates, units_of
from sanhao.panels.models import (
    Category,
    PanelCandidate,
    PanelJudge,
    PanelSession,
    SheetDraft,
    State,
)
from sanhao.panels.results import SheetRow, session_result, sheet_void
from sanhao.panels.selectors import (
    candidates_of,
    category_rules,
    counted_sheets,
    drafts_of,
    judges_of,
    rules_for,
    versions_of,
    year_scheme,
)
from sanhao.panels.sheets import STEP, JudgeSheets, Rules, filled, number_text, review, total
from sanhao.rankings.bridge import as_of

NOT_STARTED, FILLING, SUBMITTED, CORRECTING, WAITING = (
    "not_started", "filling", "submitted", "correcting", "waiting",
)  # fmt: skip


def status_label(status: str) -> str:
    return {
        NOT_STARTED: _("not started"),
        FILLING: _("filling in"),
        SUBMITTED: _("submitted"),
        CORRECTING: _("correcting"),
        WAITING: _("correction waiting for the office"),
    }[status]


def sheet_status(sheets: JudgeSheets | None, draft: SheetDraft | None) -> str:
    if sheets is not None and sheets.pending is not None:
        return WAITING
    if sheets is not None:
        return CORRECTING if draft is not None else SUBMITTED
    return FILLING if draft is not None else NOT_STARTED


def local(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def window(session: PanelSession) -> str:
    opens, closes = timezone.localtime(session.opens), timezone.localtime(session.closes)
    end = f"{closes:%H:%M}" if closes.date() == opens.date() else f"{closes:%Y-%m-%d %H:%M}"
    return f"{opens:%Y-%m-%d %H:%M} – {end}"


def in_window(session: PanelSession, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return session.state == State.OPEN and session.opens <= now < session.closes


# The office ----------------------------------------------------------------------------


def new_session_initial(year: CampaignYear, category: str) -> dict[str, Any]:
    category = category if category in Category.values else Category.TEAM
    probe = PanelSession(year=year, category=category)
    rules = category_rules(probe)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(9, 0)))
    return {
        "category": category,
        "title": _("%(year)s %(category)s report and scoring")
        % {"year": year.year, "category": Category(category).label},
        "mode": rules.panel.mode,
        "opens": start,
        "closes": start + dt.timedelta(hours=8),
        "units": [u.pk for u in units_of(year)],
    }


def year_rows(year: CampaignYear) -> list[dict[str, Any]]:
    """The year's sessions with their counts (four queries)."""
    sessions = list(PanelSession.objects.filter(year=year).order_by("opens", "id"))
    ids = [s.pk for s in sessions]
    candidates: dict[int, int] = {}
    for session_id in PanelCandidate.objects.filter(session_id__in=ids).values_list(
        "session_id", flat=True
    ):
        candidates[session_id] = candidates.get(session_id, 0) + 1
    judges: dict[int, int] = {}
    for session_id in PanelJudge.objects.filter(session_id__in=ids).values_list(
        "session_id", flat=True
    ):
        judges[session_id] = judges.get(session_id, 0) + 1
    submitted: dict[int, int] = {}
    for (session_id, _judge), sheets in versions_of(ids).items():
        if sheets.counted is not None:
            submitted[session_id] = submitted.get(session_id, 0) + 1
    return [{"session": s, "window": window(s), "candidates": candidates.get(s.pk, 0),
             "judges": judges.get(s.pk, 0), "submitted": submitted.get(s.pk, 0)}
            for s in sessions]  # fmt: skip


def _changed(a: Mapping[str, Sequence[str]], b: Mapping[str, Sequence[str]]) -> int:
    """How many cells differ between two sheets (the office sees the count, not the scores)."""
    count = 0
    for key in set(a) | set(b):
        x, y = list(a.get(key, [])), list(b.get(key, []))
        width = max(len(x), len(y))
        x, y = x + [""] * (width - len(x)), y + [""] * (width - len(y))
        count += sum(1 for i in range(width) if x[i] != y[i])
    return count


POLL_SECONDS = 10


def office_session(session: PanelSession, *, progress_only: bool = False,
                   polls: int = 0) -> dict[str, Any]:  # fmt: skip
    """The office's page of a session, or its progress table alone. The table polls
    itself while scoring is open, for at most the office's idle time: each poll is a
    request that keeps the office signed in, and an unattended screen must not."""
    scheme = year_scheme(session)
    candidates = candidates_of(session)
    seats = judges_of([session.pk])
    folded = versions_of([session.pk])
    drafts = drafts_of([session.pk])
    progress, pending = [], []
    for seat in seats:
        rules = rules_for(session, candidates, seat, scheme)
        sheets = folded.get((session.pk, seat.judge_id))
        draft = drafts.get((session.pk, seat.judge_id))
        status = sheet_status(sheets, draft)
        if draft is not None:
            count = filled(rules, draft.cells)
        elif sheets is not None and sheets.counted is not None:
            count = filled(rules, sheets.counted.cells)
        else:
            count = 0
        progress.append({
            "judge": seat.judge, "abstains": "、".join(u.name for u in seat.abstains.all()),
            "status": status, "status_label": status_label(status), "filled": count,
            "expected": rules.cells_expected,
            "submitted": local(sheets.latest.submitted) if sheets and sheets.latest else "",
            "saved": local(draft.updated) if draft else "",
        })  # fmt: skip
        if sheets is not None and sheets.pending is not None:
            base = sheets.counted.cells if sheets.counted else {}
            pending.append({"version": sheets.pending, "judge": seat.judge,
                            "changed": _changed(base, sheets.pending.cells)})  # fmt: skip
    done = sum(1 for row in progress if row["status"] in (SUBMITTED, CORRECTING, WAITING))
    stopped = session.state == State.OPEN and polls * POLL_SECONDS >= settings.OFFICE_IDLE_SECONDS
    context: dict[str, Any] = {
        "session": session,
        "progress": progress,
        "done": done,
        "polling": session.state == State.OPEN and not stopped,
        "stopped": stopped,
        "next_poll": polls + 1,
    }
    if progress_only:
        return context
    spec = category_rules(session, scheme)
    reporting = next((c for c in candidates if c.candidate == session.reporting), None)
    return {
        **context,
        "year": session.year,
        "rules": spec,
        "window": window(session),
        "candidates": candidates,
        "reporting": reporting,
        "pending": pending,
        "draft": session.state == State.DRAFT,
        "open": session.state == State.OPEN,
        "closed": session.state == State.CLOSED,
        "missing": len(progress) - done,
    }


def _rank_candidates(session: PanelSession, candidates: Sequence[PanelCandidate]
                     ) -> list[tuple[str, str, str]]:  # fmt: skip
    """The session's candidates (id, unit code, name), and in rank mode the category's
    others too: the engine's rank score counts every candidate of the category (N)."""
    rows = [(c.candidate, c.unit.code, c.name) for c in candidates]
    if session.mode == "rank":
        day = as_of(session.year, timezone.localtime(session.opens).date())
        have = {c.candidate for c in candidates}
        rows += [(c.id, c.unit.code, c.name)
                 for c in category_candidates(session.year, session.category, day)
                 if c.id not in have]  # fmt: skip
    return rows


def session_results(session: PanelSession) -> dict[str, Any]:
    """The closed session as the engine computes it: R, the dimensions' (trimmed) means,
    P, the void sheets and Kendall's W."""
    scheme = year_scheme(session)
    candidates = candidates_of(session)
    units = [(u.code, u.name) for u in units_of(session.year)]
    sheets = counted_sheets([session])[0].sheets
    result = session_result(scheme, session.category, session.mode, session.year.year, units,
                            _rank_candidates(session, candidates), sheets,
                            shown=[c.candidate for c in candidates])  # fmt: skip
    w = result.agreement
    return {
        "session": session,
        "year": session.year,
        "window": window(session),
        "result": result,
        "rules": result.rules,
        "judges": len(judges_of([session.pk])),
        "agreement": w,
        "w": f"{w['W']:.3f}" if w and w.get("W") is not None else None,
        "chi2": f"{w['chi2']:.2f}" if w and w.get("chi2") is not None else None,
        "p_value": _p_value(w),
    }


def _p_value(w: dict[str, Any] | None) -> str | None:
    if not w or w.get("p") is None:
        return None
    return "p < 0.0001" if w["p"] < 0.0001 else f"p = {w['p']:.4f}"


# The judge -----------------------------------------------------------------------------


def judge_rows(judge: Any) -> list[dict[str, Any]]:
    """The judge's open and closed sessions and where their sheet is (three queries)."""
    seats = list(
        PanelJudge.objects.filter(judge=judge).exclude(session__state=State.DRAFT)
        .select_related("session", "session__year").order_by("-session__opens", "-session_id")
    )  # fmt: skip
    ids = [s.session_id for s in seats]
    folded = versions_of(ids, judge)
    drafts = drafts_of(ids, judge)
    rows = []
    for seat in seats:
        session = seat.session
        status = sheet_status(
            folded.get((session.pk, judge.pk)), drafts.get((session.pk, judge.pk))
        )
        rows.append({"session": session, "window": window(session), "status": status,
                     "status_label": status_label(status), "scoring": in_window(session)})  # fmt: skip
    return rows


def _ordered(session: PanelSession, candidates: list[PanelCandidate]) -> list[PanelCandidate]:
    """The candidate now reporting first, then the reporting order."""
    first = [c for c in candidates if c.candidate == session.reporting]
    return first + [c for c in candidates if c.candidate != session.reporting]


def _inputs(rules: Rules, candidate: PanelCandidate, row: Sequence[str]) -> list[dict[str, Any]]:
    if rules.mode == "rank":
        return [{"name": f"c-{candidate.pk}-0", "value": row[0] if row else "",
                 "label": _("rank"), "description": "", "min": 1, "max": len(rules.scored),
                 "step": 1, "mode": "numeric", "of": len(rules.scored)}]  # fmt: skip
    top = number_text(rules.dimension_max)
    return [{"name": f"c-{candidate.pk}-{d}", "value": row[d] if d < len(row) else "",
             "label": name, "description": rules.descriptions[d] if d < len(rules.descriptions) else "",
             "min": 0, "max": top, "step": STEP, "mode": "decimal", "of": top}
            for d, name in enumerate(rules.dimensions)]  # fmt: skip


def judge_sheet(seat: PanelJudge, *, typed: Mapping[str, Sequence[str]] | None = None
                ) -> dict[str, Any]:  # fmt: skip
    session = seat.session
    candidates = candidates_of(session)
    rules = rules_for(session, candidates, seat, year_scheme(session))
    judge = seat.judge
    sheets = versions_of([session.pk], judge).get((session.pk, judge.pk))
    draft = drafts_of([session.pk], judge).get((session.pk, judge.pk))
    status = sheet_status(sheets, draft)
    scoring = in_window(session)
    editable = scoring and (draft is not None or sheets is None)
    if typed is not None:
        cells: Mapping[str, Sequence[str]] = {**(draft.cells if draft else {}), **typed}
    elif draft is not None:
        cells = draft.cells
    elif sheets is not None and sheets.counted is not None:
        cells = sheets.counted.cells
    else:
        cells = {}
    rows = []
    for candidate in _ordered(session, candidates):
        abstain = candidate.candidate in rules.abstains
        row = list(cells.get(candidate.candidate, []))
        rows.append({
            "candidate": candidate, "abstain": abstain,
            "reporting": candidate.candidate == session.reporting,
            "inputs": [] if abstain else _inputs(rules, candidate, row),
            "total": None if abstain else _shown_total(cells, candidate.candidate),
        })  # fmt: skip
    rejected = (sheets is not None and sheets.latest is not None and sheets.latest.number > 1
                and getattr(sheets.latest, "decision", None) is not None
                and not sheets.latest.decision.accepted)  # fmt: skip
    return {
        "session": session,
        "seat": seat,
        "rules": rules,
        "rows": rows,
        "status": status,
        "status_label": status_label(status),
        "editable": editable,
        "scoring": scoring,
        "window": window(session),
        "closed": session.state == State.CLOSED,
        "correcting": draft is not None and draft.corrects_id is not None,
        "can_correct": scoring and draft is None and sheets is not None and sheets.pending is None,
        "sheets": sheets,
        "rejected": sheets.latest.decision if rejected and sheets and sheets.latest else None,
        "filled": filled(rules, cells),
        "expected": rules.cells_expected,
        "saved": local(draft.updated) if draft else "",
    }


def _shown_total(cells: Mapping[str, Sequence[str]], candidate: str) -> str:
    value = total(cells, candidate)
    return "—" if value is None else number_text(value)


def saved(rules: Rules, candidates: list[PanelCandidate], draft: SheetDraft) -> dict[str, Any]:
    """The autosave's answer: when it was saved, and every candidate's total (out of band)."""
    return {
        "saved": local(draft.updated),
        "filled": filled(rules, draft.cells),
        "expected": rules.cells_expected,
        "totals": [
            {"pk": c.pk, "total": _shown_total(draft.cells, c.candidate)}
            for c in candidates
            if c.candidate not in rules.abstains
        ],
    }


def judge_review(seat: PanelJudge) -> dict[str, Any] | None:
    """The judge's draft as a whole before submitting; None without a draft."""
    session = seat.session
    judge = seat.judge
    draft = drafts_of([session.pk], judge).get((session.pk, judge.pk))
    if draft is None:
        return None
    scheme = year_scheme(session)
    candidates = candidates_of(session)
    rules = rules_for(session, candidates, seat, scheme)
    checked = review(rules, draft.cells)
    units = [(u.code, u.name) for u in units_of(session.year)]
    complete = {c: v for c, v in draft.cells.items() if all(v)}
    void = None
    if session.mode == "score" and complete:
        void = sheet_void(scheme, session.category, session.year.year, units,
                          [(c.candidate, c.unit.code, c.name) for c in candidates],
                          SheetRow("draft", str(judge), None, complete), session.mode)  # fmt: skip
    spec = category_rules(session, scheme)
    return {
        "session": session,
        "rules": rules,
        "review": checked,
        "void": void,
        "void_rules": {
            "total": number_text(spec.panel.void_high_total),
            "share": f"{float(spec.panel.void_high_share) * 100:.0f}%",
        },
        "correcting": draft.corrects_id is not None,
        "scoring": in_window(session),
        "window": window(session),
    }
