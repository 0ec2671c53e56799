"""Setting up panel sessions, scoring, submitting, correcting, closing.

Every write is atomic; each one but a draft's save leaves an audit entry. (A draft is
saved over at every keystroke's pause and counts for nothing until it is submitted; the
submission's entry carries the SHA-256 of the sheet it made, so the audit chain vouches
for every submitted score without holding the scores.)

The office sets a session up while it is in preparation, opens it, marks who is reporting
and closes it; the state table is `TRANSITIONS`. A judge of the session fills in their
sheet while it is open and inside its window, submits it once, and may then ask for a
correction: the next version, with its reason, which counts when the office accepts it.
A session does not close while a correction waits for that decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit
from sanhao.panels.candidates import category_candidates
from sanhao.panels.models import (
    Category,
    CorrectionDecision,
    Mode,
    PanelCandidate,
    PanelJudge,
    PanelSession,
    SheetDraft,
    SheetVersion,
    State,
)
from sanhao.panels.selectors import (
    candidates_of,
    category_rules,
    counted_sheets,
    judges_of,
    rules_for,
    versions_of,
)
from sanhao.panels.sheets import Rules, merge_cells, review
from sanhao.rankings.bridge import as_of

DRAFT, OPEN, CLOSED = State.DRAFT, State.OPEN, State.CLOSED
TRANSITIONS: dict[str, str] = {DRAFT: OPEN, OPEN: CLOSED}
TEXT_MAX = 500

JudgeSeats = Sequence[tuple[Any, Sequence[Unit]]]  # (judge account, the units they abstain on)


def _clean(text: str, limit: int = TEXT_MAX) -> str:
    return " ".join((text or "").split())[:limit]


def _locked(session: PanelSession) -> PanelSession:
    return (
        PanelSession.objects.select_for_update(of=("self",)).select_related("year")
        .get(pk=session.pk)
    )  # fmt: skip


def _move(session: PanelSession, to: str) -> None:
    if TRANSITIONS.get(session.state) != to:
        raise DomainError(
            _("A session that is %(state)s cannot become %(to)s.")
            % {"state": State(session.state).label, "to": State(to).label}
        )


def _check_window(opens: dt.datetime, closes: dt.datetime) -> None:
    if opens is None or closes is None:
        raise DomainError(_("Give the time scoring opens and the time it closes."))
    if closes <= opens:
        raise DomainError(_("Scoring must close after it opens."))


def _check_mode(session: PanelSession, mode: str) -> None:
    """The mode of the year's scheme for the session's category: the engine reads no other."""
    if mode not in Mode.values:
        raise DomainError(_("Unknown scoring mode: %(mode)s") % {"mode": str(mode)[:20]})
    rules = category_rules(session)
    if rules.panel.mode != mode:
        raise DomainError(
            _("The year's scheme has %(category)s judged by: %(mode)s. A session scores as the "
              "scheme says; to change the mode, change the scheme first.")
            % {"category": rules.name, "mode": Mode(rules.panel.mode).label}
        )  # fmt: skip


def _check_judges(year: CampaignYear, judges: JudgeSeats) -> None:
    seen: set[int] = set()
    for judge, units in judges:
        if not getattr(judge, "is_judge", False):
            raise DomainError(
                _("%(name)s is not a judge account.") % {"name": getattr(judge, "username", "")}
            )
        if judge.pk in seen:
            raise DomainError(_("%(name)s is assigned twice.") % {"name": judge.username})
        seen.add(judge.pk)
        for unit in units:
            if unit.district_id != year.district_id:
                raise DomainError(_("This unit is not in the campaign year's district."))


def _seat_judges(session: PanelSession, judges: JudgeSeats) -> None:
    for judge, units in judges:
        seat = PanelJudge.objects.create(session=session, judge=judge)
        if units:
            seat.abstains.set(list(units))


def _judges_data(judges: JudgeSeats) -> list[dict[str, Any]]:
    return [{"judge": j.username, "abstains": sorted(u.code for u in units)} for j, units in judges]


def _taken(year: CampaignYear, but: PanelSession | None = None) -> set[str]:
    """The candidates already in a session of the year (each is scored in one only, so
    that a session's close shows the P the year's ranking takes)."""
    rows = PanelCandidate.objects.filter(session__year=year)
    if but is not None:
        rows = rows.exclude(session=but)
    return set(rows.values_list("candidate", flat=True))


def _candidates_for(year: CampaignYear, category: str, opens: dt.datetime,
                    units: Sequence[Unit] | None, but: PanelSession | None = None
                    ) -> list[Any]:  # fmt: skip
    day = as_of(year, timezone.localtime(opens).date())
    taken = _taken(year, but)
    found = [c for c in category_candidates(year, category, day, units) if c.id not in taken]
    if not found:
        raise DomainError(
            _("These units have no candidate of this category left: each candidate is scored "
              "in one session of the year, and those there are already in one.")
        )  # fmt: skip
    return found


@transaction.atomic
def create_session(
    year: CampaignYear,
    *,
    category: str,
    title: str,
    opens: dt.datetime,
    closes: dt.datetime,
    mode: str,
    judges: JudgeSeats,
    units: Sequence[Unit] | None = None,
    actor: Any,
) -> PanelSession:
    """A session in preparation with every candidate of the category in the units (all
    of the district by default) not yet in another session, in the units' order."""
    require_office_actor(actor)
    if category not in Category.values:
        raise DomainError(_("Unknown award category: %(category)s") % {"category": category})
    title = _clean(title, 100)
    if not title:
        raise DomainError(_("Give the session a name."))
    _check_window(opens, closes)
    session = PanelSession(year=year, category=category, title=title, mode=mode, opens=opens,
                           closes=closes, created=timezone.now(), created_by=actor)  # fmt: skip
    _check_mode(session, mode)
    _check_judges(year, judges)
    found = _candidates_for(year, category, opens, units)
    session.save()
    PanelCandidate.objects.bulk_create(
        PanelCandidate(session=session, candidate=c.id, unit=c.unit, name=c.name, order=n)
        for n, c in enumerate(found, start=1)
    )
    _seat_judges(session, judges)
    record("panels.session.create", actor=actor, obj=session,
           data={"year": year.year, "category": category, "title": title, "mode": mode,
                 "opens": opens, "closes": closes, "candidates": [c.id for c in found],
                 "judges": _judges_data(judges)})  # fmt: skip
    return session


@transaction.atomic
def update_session(
    session: PanelSession,
    *,
    title: str,
    opens: dt.datetime,
    closes: dt.datetime,
    judges: JudgeSeats | None = None,
    units: Sequence[Unit] | None = None,
    actor: Any,
) -> PanelSession:
    """The name and the window while in preparation or open; the judges and the units
    while in preparation only. Candidates kept keep their order; new ones come last."""
    require_office_actor(actor)
    session = _locked(session)
    if session.state == CLOSED:
        raise DomainError(_("A closed session cannot change."))
    title = _clean(title, 100)
    if not title:
        raise DomainError(_("Give the session a name."))
    _check_window(opens, closes)
    changes: dict[str, Any] = {}
    if session.state == OPEN and (judges is not None or units is not None):
        raise DomainError(
            _("While scoring is open only the name and the window of the session can change.")
        )
    for field, value in (("title", title), ("opens", opens), ("closes", closes)):
        if getattr(session, field) != value:
            changes[field] = value
            setattr(session, field, value)
    if units is not None:
        found = _candidates_for(session.year, session.category, opens, units, but=session)
        wanted = {c.id: c for c in found}
        current = candidates_of(session)
        dropped = [c for c in current if c.candidate not in wanted]
        kept = {c.candidate for c in current} - {c.candidate for c in dropped}
        added = [c for c in found if c.id not in kept]
        if dropped:
            PanelCandidate.objects.filter(pk__in=[c.pk for c in dropped]).delete()
        last = max((c.order for c in current if c.candidate in kept), default=0)
        PanelCandidate.objects.bulk_create(
            PanelCandidate(session=session, candidate=c.id, unit=c.unit, name=c.name,
                           order=last + n)
            for n, c in enumerate(added, start=1)
        )  # fmt: skip
        if dropped or added:
            changes["candidates"] = {"removed": [c.candidate for c in dropped],
                                     "added": [c.id for c in added]}  # fmt: skip
    if judges is not None:
        _check_judges(session.year, judges)
        before = [(seat.judge, list(seat.abstains.all())) for seat in judges_of([session.pk])]
        if _judges_data(before) != _judges_data(judges):
            PanelJudge.objects.filter(session=session).delete()
            _seat_judges(session, judges)
            changes["judges"] = _judges_data(judges)
    if changes:
        session.save(update_fields=[f for f in ("title", "opens", "closes") if f in changes])
        record("panels.session.update", actor=actor, obj=session, data=changes)
    return session


@transaction.atomic
def reorder_candidates(session: PanelSession, order: Sequence[str], *, actor: Any) -> None:
    """The reporting order, while in preparation: `order` names every candidate once."""
    require_office_actor(actor)
    session = _locked(session)
    if session.state != DRAFT:
        raise DomainError(_("The reporting order is set before scoring opens."))
    current = candidates_of(session)
    if sorted(order) != sorted(c.candidate for c in current):
        raise DomainError(_("The new order must name every candidate of the session once."))
    place = {cid: n for n, cid in enumerate(order, start=1)}
    moved = [c for c in current if c.order != place[c.candidate]]
    for candidate in moved:
        candidate.order = place[candidate.candidate]
    PanelCandidate.objects.bulk_update(moved, ["order"])
    if moved:
        record("panels.session.update", actor=actor, obj=session, data={"order": list(order)})


@transaction.atomic
def open_session(session: PanelSession, *, actor: Any, now: dt.datetime | None = None) -> None:
    require_office_actor(actor)
    session = _locked(session)
    _move(session, OPEN)
    now = now or timezone.now()
    if session.closes <= now:
        raise DomainError(_("The session's window has already closed: set a later closing time."))
    if not PanelCandidate.objects.filter(session=session).exists():
        raise DomainError(_("The session has no candidate."))
    if not PanelJudge.objects.filter(session=session).exists():
        raise DomainError(_("Assign the judges first."))
    _check_mode(session, session.mode)
    session.state = OPEN
    session.save(update_fields=["state"])
    record("panels.session.open", actor=actor, obj=session, data={"at": now})


@transaction.atomic
def set_reporting(session: PanelSession, candidate: str, *, actor: Any) -> None:
    """Who is reporting now ("" for nobody), while scoring is open."""
    require_office_actor(actor)
    session = _locked(session)
    if session.state != OPEN:
        raise DomainError(_("Who is reporting is marked while scoring is open."))
    if (
        candidate
        and not PanelCandidate.objects.filter(session=session, candidate=candidate).exists()
    ):
        raise DomainError(
            _("%(candidate)s is not a candidate of this session.") % {"candidate": candidate[:100]}
        )
    if session.reporting != candidate:
        session.reporting = candidate
        session.save(update_fields=["reporting"])
        record("panels.session.update", actor=actor, obj=session, data={"reporting": candidate})


def pending_corrections(session: PanelSession) -> list[SheetVersion]:
    return [s.pending for s in versions_of([session.pk]).values() if s.pending is not None]


@transaction.atomic
def close_session(session: PanelSession, *, actor: Any, now: dt.datetime | None = None) -> None:
    """Closed: the counted sheets go to the year's ranking. Refused while a correction
    waits for the office's decision."""
    require_office_actor(actor)
    session = _locked(session)
    _move(session, CLOSED)
    waiting = pending_corrections(session)
    if waiting:
        names = "、".join(sorted(str(v.judge) for v in waiting))
        raise DomainError(
            _("A correction waits for your decision (%(names)s): accept or reject it before "
              "closing the session.") % {"names": names}
        )  # fmt: skip
    now = now or timezone.now()
    counted = counted_sheets([session])[0].sheets
    seats = judges_of([session.pk])
    done = {judge for (_s, judge), sheets in versions_of([session.pk]).items() if sheets.counted}
    session.state, session.closed = CLOSED, now
    session.save(update_fields=["state", "closed"])
    record("panels.session.close", actor=actor, obj=session,
           data={"at": now, "sheets": [s.id for s in counted],
                 "not_submitted": [s.judge.username for s in seats if s.judge_id not in done]})  # fmt: skip


# The judge's sheet ---------------------------------------------------------------------


def judge_seat(session: PanelSession, judge: Any) -> PanelJudge:
    try:
        return PanelJudge.objects.prefetch_related("abstains").get(session=session, judge=judge)
    except PanelJudge.DoesNotExist:
        raise DomainError(_("You are not a judge of this session.")) from None


def _scoring(session: PanelSession, judge: Any, now: dt.datetime | None
             ) -> tuple[PanelSession, PanelJudge, Rules]:  # fmt: skip
    """The locked session, the judge's seat and the sheet's rules; refused outside the
    session's open window."""
    session = _locked(session)
    if not getattr(judge, "is_judge", False):
        raise DomainError(_("Only a judge of the session scores it."))
    seat = judge_seat(session, judge)
    now = now or timezone.now()
    if session.state != OPEN:
        raise DomainError(_("Scoring of this session is not open."))
    if now < session.opens:
        raise DomainError(
            _("Scoring opens at %(time)s.")
            % {"time": f"{timezone.localtime(session.opens):%Y-%m-%d %H:%M}"}
        )
    if now >= session.closes:
        raise DomainError(
            _("Scoring closed at %(time)s.")
            % {"time": f"{timezone.localtime(session.closes):%Y-%m-%d %H:%M}"}
        )
    return session, seat, rules_for(session, candidates_of(session), seat)


def _draft(session: PanelSession, judge: Any) -> SheetDraft | None:
    return SheetDraft.objects.select_for_update().filter(session=session, judge=judge).first()


@transaction.atomic
def save_draft(session: PanelSession, cells: Mapping[str, Sequence[str]], *, actor: Any,
               now: dt.datetime | None = None) -> SheetDraft:  # fmt: skip
    """The judge's draft with `cells` (candidate id → the texts typed, a full row each)
    in place of theirs. Every text is checked; one that is wrong saves nothing."""
    session, _seat, rules = _scoring(session, actor, now)
    draft = _draft(session, actor)
    if draft is None:
        sheets = versions_of([session.pk], actor).get((session.pk, actor.pk))
        if sheets is not None:
            raise DomainError(
                _("Your sheet is submitted and locked. To change it, ask for a correction.")
            )
        draft = SheetDraft(session=session, judge=actor, cells={})
    draft.cells = merge_cells(rules, draft.cells, cells)
    draft.updated = now or timezone.now()
    draft.save()
    return draft


@transaction.atomic
def start_correction(session: PanelSession, *, actor: Any,
                     now: dt.datetime | None = None) -> SheetDraft:  # fmt: skip
    """A draft copy of the judge's counted sheet, to correct (the same one if begun)."""
    session, _seat, _rules = _scoring(session, actor, now)
    draft = _draft(session, actor)
    if draft is not None:
        return draft
    sheets = versions_of([session.pk], actor).get((session.pk, actor.pk))
    if sheets is None or sheets.counted is None:
        raise DomainError(_("You have not submitted a sheet yet: there is nothing to correct."))
    if sheets.pending is not None:
        raise DomainError(_("Your correction waits for the office's decision."))
    return SheetDraft.objects.create(session=session, judge=actor, cells=sheets.counted.cells,
                                     corrects=sheets.counted, updated=now or timezone.now())  # fmt: skip


def cells_hash(cells: Mapping[str, Sequence[str]]) -> str:
    text = json.dumps(cells, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def submit_sheet(session: PanelSession, *, reason: str = "", actor: Any,
                 now: dt.datetime | None = None) -> SheetVersion:  # fmt: skip
    """The judge's draft, complete, becomes a version that never changes: the first one
    counts at once; a correction (with its reason) once the office accepts it."""
    session, _seat, rules = _scoring(session, actor, now)
    draft = _draft(session, actor)
    sheets = versions_of([session.pk], actor).get((session.pk, actor.pk))
    if draft is None:
        if sheets is not None:
            raise DomainError(_("Your sheet is already submitted."))
        raise DomainError(_("Your sheet is empty: enter the scores first."))
    checked = review(rules, draft.cells)
    if checked.problems:
        raise DomainError(checked.problems[0])
    if checked.missing:
        shown = "、".join(checked.missing[:5]) + ("……" if len(checked.missing) > 5 else "")
        raise DomainError(
            _("%(n)s cells are still empty: %(cells)s.")
            % {"n": len(checked.missing), "cells": shown}
        )
    cells = {c: draft.cells[c] for c in rules.scored}
    reason = _clean(reason)
    corrects = draft.corrects
    if corrects is not None:
        if sheets is not None and sheets.pending is not None:
            raise DomainError(_("Your correction waits for the office's decision."))
        if not reason:
            raise DomainError(_("A correction needs its reason."))
        if cells == corrects.cells:
            raise DomainError(_("The correction changes no score."))
    elif sheets is not None:
        raise DomainError(_("Your sheet is already submitted."))
    number = sheets.latest.number + 1 if sheets is not None and sheets.latest else 1
    version = SheetVersion.objects.create(
        session=session, judge=actor, number=number, cells=cells,
        reason=reason if corrects is not None else "", submitted=now or timezone.now(),
    )  # fmt: skip
    draft.delete()
    data: dict[str, Any] = {"panel": session.pk, "judge": actor.username, "version": number,
                            "candidates": len(cells), "sha256": cells_hash(cells)}  # fmt: skip
    if corrects is None:
        record("panels.sheet.submit", actor=actor, obj=version, data=data)
    else:
        record("panels.correction.request", actor=actor, obj=version,
               data={**data, "corrects": corrects.number, "reason": reason})  # fmt: skip
    return version


@transaction.atomic
def decide_correction(version: SheetVersion, *, accepted: bool, note: str = "", actor: Any,
                      now: dt.datetime | None = None) -> CorrectionDecision:  # fmt: skip
    """The office accepts a correction (it counts from now on) or rejects it (with the
    reason; the sheet it corrects keeps counting)."""
    require_office_actor(actor)
    session = _locked(version.session)
    version = SheetVersion.objects.select_related("judge").get(pk=version.pk)
    if session.state != OPEN:
        raise DomainError(_("Corrections are decided while scoring is open."))
    sheets = versions_of([session.pk], version.judge).get((session.pk, version.judge_id))
    if (
        version.number == 1
        or sheets is None
        or sheets.pending is None
        or sheets.pending.pk != version.pk
    ):
        raise DomainError(_("This sheet is not a correction waiting for a decision."))
    note = _clean(note)
    if not accepted and not note:
        raise DomainError(_("Say why the correction is rejected."))
    decision = CorrectionDecision.objects.create(version=version, accepted=accepted, note=note,
                                                 decided=now or timezone.now(), decided_by=actor)  # fmt: skip
    record("panels.correction.accept" if accepted else "panels.correction.reject", actor=actor,
           obj=version, data={"panel": session.pk, "judge": version.judge.username,
                              "version": version.number, "note": note})  # fmt: skip
    return decision
