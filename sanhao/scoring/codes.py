"""The engine's names for what it decides: categories, reasons, statuses, void marks.

The engine speaks in these codes only; `report.py` (and the web pages) render them in the
reader's language. A code's parameters are plain strings, so that a result travels as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """The three awards (docs/scoring.md §0). The order is that of the arrays' int8 codes."""

    TEAM = "team"  # 好班子: a unit's leadership team
    LEADER = "leader"  # 好班长
    DEPUTY = "deputy"  # 好班副

    @property
    def ordinal(self) -> int:
        return CATEGORIES.index(self)

    @property
    def is_person(self) -> bool:
        return self is not Category.TEAM


CATEGORIES: tuple[Category, ...] = tuple(Category)


class Component(StrEnum):
    K = "K"  # quantified score, docs/scoring.md §1
    P = "P"  # panel score, §2
    M = "M"  # ballot score, §3


class ReasonCode(StrEnum):
    """Why a candidate is not eligible (docs/scoring.md §0, §3, §5)."""

    VETO = "veto"  # params: kind, name (the scheme's name of the kind), note
    MONTHS_IN_POST = "months_in_post"  # params: required, months
    BOTTOM_GRADES = "bottom_grades"  # params: grade, limit
    TEAM_BOTTOM = "team_bottom"  # params: rank, teams
    NO_PANEL = "no_panel"  # no valid panel sheet scored the candidate
    NO_BALLOT = "no_ballot"  # no valid grade was given to the candidate


class Status(StrEnum):
    """What the allocation of docs/scoring.md §7 did with a candidate: exactly one each."""

    AWARDED = "awarded"
    BOUNDARY_TIE = "boundary_tie"  # a tie across the quota line: its seats to deliberation
    UNIT_CAP_TIE = "unit_cap_tie"  # a tie across the unit's cap: the unit's seats to deliberation
    SKIPPED_UNIT_CAP = "skipped_unit_cap"  # the unit had reached its cap; the next took the seat
    INELIGIBLE = "ineligible"  # see the reasons
    BELOW_THRESHOLD = "below_threshold"  # S below the category's threshold
    NOT_AWARDED = "not_awarded"  # the seats were taken by candidates placed higher


class VoidCode(StrEnum):
    """Why a panel sheet or a ballot session was set aside (docs/scoring.md §2, §3)."""

    SHEET_EQUAL_TOTALS = "sheet_equal_totals"
    SHEET_TOO_MANY_HIGH = "sheet_too_many_high"  # params: total, limit
    SESSION_OVER_ISSUED = "session_over_issued"  # params: returned, issued
    SESSION_BELOW_QUORUM = "session_below_quorum"  # params: quorum, returned, invited


@dataclass(frozen=True)
class Reason:
    code: ReasonCode | VoidCode
    params: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"code": str(self.code), "params": dict(self.params)}
