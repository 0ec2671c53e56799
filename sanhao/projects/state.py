"""What a milestone and a project are now, folded from their append-only rows. Pure:
the rows in, the state out; no query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sanhao.projects.models import Action, Status

OPEN, DONE, DROPPED = "open", "done", "dropped"
OFFICE, LIAISON = "office", "liaison"

# (milestone state, action) → who may. A note keeps the state; done needs its evidence
# and the day; a new due date needs the reason; only the office drops a milestone or
# reopens a done or dropped one.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (OPEN, Action.NOTE): {OFFICE, LIAISON},
    (OPEN, Action.DONE): {OFFICE, LIAISON},
    (OPEN, Action.RESCHEDULE): {OFFICE, LIAISON},
    (OPEN, Action.DROP): {OFFICE},
    (DONE, Action.NOTE): {OFFICE, LIAISON},
    (DONE, Action.REOPEN): {OFFICE},
    (DROPPED, Action.REOPEN): {OFFICE},
}


@dataclass(frozen=True)
class MilestoneState:
    state: str  # open, done, dropped
    due_on: dt.date  # the current due date: the newest new date, else the first
    done_on: dt.date | None
    rescheduled: bool
    progressed: bool  # any update at all

    def late(self, today: dt.date) -> bool:
        """Done after its due date, or still open past it."""
        if self.state == DONE:
            return self.done_on is not None and self.done_on > self.due_on
        return self.state == OPEN and self.due_on < today

    def overdue(self, today: dt.date) -> bool:
        return self.state == OPEN and self.due_on < today


def fold(due_on: dt.date, updates: Iterable[Any]) -> MilestoneState:
    """The milestone's state after its updates (rows or anything with `action` and `on`),
    oldest first."""
    state, due, done_on, rescheduled, progressed = OPEN, due_on, None, False, False
    for update in updates:
        progressed = True
        action = update.action
        if action == Action.DONE:
            state, done_on = DONE, update.on
        elif action == Action.RESCHEDULE:
            due, rescheduled = update.on, True
        elif action == Action.REOPEN:
            state, done_on = OPEN, None
        elif action == Action.DROP:
            state = DROPPED
    return MilestoneState(state, due, done_on, rescheduled, progressed)


def project_status(dropped: bool, milestones: Sequence[MilestoneState]) -> str:
    """Dropped by its newest revision; done when it has milestones left and all are done;
    in progress once anything was reported; planned before."""
    if dropped:
        return Status.DROPPED
    kept = [m for m in milestones if m.state != DROPPED]
    if kept and all(m.state == DONE for m in kept):
        return Status.DONE
    if any(m.progressed for m in milestones):
        return Status.IN_PROGRESS
    return Status.PLANNED


def allowed_actions(roles: set[str], state: str) -> list[str]:
    return [a for (s, a), who in TRANSITIONS.items() if s == state and who & roles]
