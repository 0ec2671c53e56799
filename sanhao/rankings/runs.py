"""Score runs: the engine run on the year's facts, stored for good (docs/scheme.md).

A run is never changed: a recomputation is a new run, and pages read the newest. It
keeps the facts document and the engine's result document as the engine wrote them, so
that `verify_run` (and anyone with the scheme version) recomputes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.rankings.bridge import build_facts
from sanhao.rankings.models import ScoreLine, ScoreRun
from sanhao.rankings.services import SchemeProblems, check_scheme, current_scheme
from sanhao.scoring import InvalidInput, loads_scheme, score
from sanhao.scoring.report import to_document, to_json
from sanhao.scoring.results import Result
from sanhao.scoring.stats import statistics

STATS_SEED = 2026  # docs/scoring.md: the statistics are seeded, so a run's are reproducible


def compute_scores(
    year: CampaignYear,
    *,
    actor: Any,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScoreRun:
    """Run the engine on the year's facts as the database holds them and store the run:
    the facts, the engine's result document (its bytes), and one line per unit and per
    candidate for the pages. Refuses (FactsIncomplete) while a unit lacks a plan.

    The engine works outside a transaction and `progress(stage)` is told after each
    stage, so that a background job's progress is seen while it runs; the run and its
    lines are written in one transaction. The run keeps the facts it was computed from,
    so it stays reproducible whatever changes in the database meanwhile."""
    require_office_actor(actor)
    step = progress or (lambda stage: None)
    version = current_scheme(year)
    scheme = check_scheme(version.source)
    facts = build_facts(year, scheme, today=today)
    step(_("The year's facts read"))
    try:
        result = score(scheme, facts)
    except InvalidInput as error:  # the bridge wrote something the engine refuses: a bug
        raise SchemeProblems(error.problems) from None
    document = to_document(result)
    step(_("Scores computed"))
    stats = to_json(statistics_document(result))
    step(_("Statistics computed"))
    with transaction.atomic():
        run = ScoreRun.objects.create(
            year=year,
            scheme_version=version,
            engine_version=result.engine_version,
            scheme_hash=result.scheme_hash,
            input_hash=result.input_hash,
            facts=to_json(facts),
            result=to_json(document),
            statistics=stats,
            created=timezone.now(),
            created_by=actor,
        )
        lines = [
            ScoreLine(run=run, unit=code, k=Decimal(unit["K"]).quantize(Decimal("0.01")),
                      document=unit)
            for code, unit in document["units"].items()
        ]  # fmt: skip
        for category, part in document["categories"].items():
            for row in part["candidates"]:
                lines.append(ScoreLine(run=run, unit=row["unit"], candidate=row["id"],
                                       category=category, k=Decimal(row["K"]), document=row))  # fmt: skip
        ScoreLine.objects.bulk_create(lines)
        record(
            "rankings.scores.compute",
            actor=actor,
            obj=year,
            data={"run": run.pk, "scheme_version": version.number, "input_hash": run.input_hash,
                  "engine_version": run.engine_version},
        )  # fmt: skip
    step(_("Run stored"))
    return run


def statistics_document(result: Result) -> dict[str, Any]:
    """The statistics beside the ranking (docs/scoring.md), seeded: the same result gives
    the same numbers, so `to_json` of this gives the same bytes."""
    return statistics(result, seed=STATS_SEED)


def recompute_statistics(run: ScoreRun) -> str:
    """The statistics document that the run's stored facts and scheme give today (the
    bytes `compute_scores` stored in `run.statistics`)."""
    scheme = loads_scheme(run.scheme_version.source)
    return to_json(statistics_document(score(scheme, json.loads(run.facts))))


def latest_run(year: CampaignYear) -> ScoreRun | None:
    return ScoreRun.objects.filter(year=year).only("id", "created", "created_by", "year",
                                                  "scheme_version", "input_hash",
                                                  "engine_version").order_by("-id").first()  # fmt: skip


def unit_lines(run: ScoreRun, unit_code: str) -> list[ScoreLine]:
    """The run's lines of one unit: its K inputs first, then its candidates."""
    return list(ScoreLine.objects.filter(run=run, unit=unit_code).order_by("id"))


def recompute(run: ScoreRun) -> str:
    """The result document that the run's stored facts and scheme give today."""
    scheme = loads_scheme(run.scheme_version.source)
    return to_json(to_document(score(scheme, json.loads(run.facts))))
