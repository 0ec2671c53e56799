"""An evaluated year for the awards' tests: the test world's towns with figures, a panel
and a ballot session in the facts, and small quotas so that someone stays below the line.

The panel and the ballots go into the facts directly (their own apps' tests cover how
they get there from their pages); the run is the engine's output on those facts."""

from __future__ import annotations

import re
from typing import Any

from sanhao.campaigns.models import Phase
from sanhao.campaigns.services import advance_phase
from sanhao.rankings import runs
from sanhao.rankings.bridge import build_facts
from sanhao.rankings.models import ScoreRun
from sanhao.rankings.services import current_scheme, save_scheme_version
from sanhao.rankings.tests.test_runs import TODAY, fill

# Candidate → the four dimension scores every judge gives (A's team ahead of B's).
PANEL = {"T-town-a": 22, "T-town-b": 20, "L-town-a": 21, "L-town-b": 23,
         "D-town-a-A002": 22, "D-town-a-A003": 18, "D-town-b-B002": 20, "D-town-b-B003": 19}  # fmt: skip


def with_quotas(
    source: str, quotas: dict[str, int], unit_caps: dict[str, int] | None = None
) -> str:
    caps = unit_caps or {}
    lines, section = [], ""
    for line in source.splitlines(keepends=True):
        header = re.match(r"^\[([a-z_.]+)\]", line)
        if header:
            section = header[1]
        category = section.removeprefix("categories.")
        if category in quotas and line.startswith("quota = "):
            line = f"quota = {quotas[category]}\n"
        if category in caps and line.startswith("unit_cap = "):
            line = f"unit_cap = {caps[category]}\n"
        lines.append(line)
    return "".join(lines)


def _evaluation_day(facts: dict[str, Any]) -> dict[str, Any]:
    ids = [c["id"] for c in facts["candidates"]]
    by_category: dict[str, list[str]] = {}
    for c in facts["candidates"]:
        by_category.setdefault(c["category"], []).append(c["id"])
    panel = []
    for category, members in by_category.items():
        for judge in range(1, 4):
            panel.append({
                "id": f"S-{category}-{judge}", "judge": f"J{judge}", "category": category,
                "scores": {m: [PANEL.get(m, 20) + (judge - 2) * (1 if m.endswith("a") else 0)] * 4
                           for m in members},
            })  # fmt: skip
    ballots = []
    for n in range(10):
        grades = {}
        for m in ids:
            top = "好" if m.startswith("T-") else "优秀"
            good = "较好" if m.startswith("T-") else "称职"
            grades[m] = top if (n + len(m)) % 4 == 0 else good
        ballots.append({"id": f"B-{n:03d}", "session": "M-all", "group": "unit_cadres",
                        "grades": grades})  # fmt: skip
    return {**facts, "panel": panel,
            "sessions": [{"id": "M-all", "invited": 10, "issued": 10}], "ballots": ballots}  # fmt: skip


def evaluated_run(
    world: Any,
    monkeypatch: Any,
    quotas: dict[str, int] | None = None,
    vetoes: list[dict[str, str]] | None = None,
    unit_caps: dict[str, int] | None = None,
) -> ScoreRun:
    """The year at the evaluation with a run in which B's team, B's leader and B's deputy
    B002 are awarded (quota 1 each) and the others are eligible below the line; `vetoes`
    go into the facts as they are."""
    year = world.campaign
    fill(world)
    source = with_quotas(current_scheme(year).source,
                         quotas or {"team": 1, "leader": 1, "deputy": 1}, unit_caps)  # fmt: skip
    save_scheme_version(year, source, reason="测试名额", actor=world.office)
    advance_phase(year, to=Phase.PROCESS, actor=world.office)
    advance_phase(year, to=Phase.EVALUATION, actor=world.office)
    year.refresh_from_db()
    real = build_facts

    def facts(y: Any, scheme: Any, *, today: Any = None) -> dict[str, Any]:
        return {**_evaluation_day(real(y, scheme, today=today)), "vetoes": vetoes or []}

    monkeypatch.setattr(runs, "build_facts", facts)
    return runs.compute_scores(year, actor=world.office, today=TODAY)
