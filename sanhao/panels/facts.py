"""The engine's `panel` list (docs/scheme.md, `SheetFact`) from the closed sessions.

`panel_facts(year, scheme, candidates)` is what `sanhao.rankings.bridge.build_facts` puts
in the facts: for every judge of every closed session of the year, the version of their
sheet that counts (the first one, or the newest accepted correction), in a fixed number of
queries. A cell of someone who is no longer a candidate on the facts' day (they left the
post) is left out, as the events on them are.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.panels.models import Mode, PanelSession, State
from sanhao.panels.results import SheetRow, sheet_fact
from sanhao.panels.selectors import counted_sheets
from sanhao.scoring import Category, Scheme


def _check(session: PanelSession, scheme: Scheme, sheets: list[SheetRow]) -> None:
    """The sheets fit the scheme the ranking runs with (it may have changed since)."""
    rules = scheme.categories[Category(session.category)]
    problem = None
    if rules.panel.mode != session.mode:
        problem = _("the scheme now judges %(category)s by: %(mode)s") % {
            "category": rules.name, "mode": Mode(rules.panel.mode).label}  # fmt: skip
    elif session.mode == Mode.SCORE:
        width, top = len(rules.dimensions), rules.panel.dimension_max
        for sheet in sheets:
            for row in sheet.cells.values():
                if len(row) != width or any(Decimal(t) > top for t in row if t):
                    problem = _("its sheets do not fit the dimensions of the scheme now "
                                "(%(n)s dimensions of at most %(max)s)") % {"n": width, "max": top}  # fmt: skip
                    break
    if problem:
        raise DomainError(
            _("The panel session “%(title)s” cannot go into the ranking: %(problem)s. Restore "
              "the scheme it was scored with.") % {"title": session.title, "problem": problem}
        )  # fmt: skip


def panel_facts(
    year: CampaignYear, scheme: Scheme, candidates: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """The counted sheets of the year's closed sessions as the engine's SheetFacts; the
    cells of candidates outside `candidates` (the facts' ids) left out. Four queries."""
    sessions = list(PanelSession.objects.filter(year=year, state=State.CLOSED).order_by("id"))
    facts = []
    for found in counted_sheets(sessions):
        _check(found.session, scheme, found.sheets)
        for sheet in found.sheets:
            fact = sheet_fact(found.session.category, found.session.mode, sheet, candidates)
            if fact.get("scores") or fact.get("ranks"):
                facts.append(fact)
    return facts
