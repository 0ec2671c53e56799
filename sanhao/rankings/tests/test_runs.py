"""The bridge from the database to the engine, and the score runs it stores."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanhao.audit.models import AuditEntry
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.orgs import services as org_services
from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow
from sanhao.rankings.bridge import FactsIncomplete, build_facts
from sanhao.rankings.models import ScoreLine, ScoreRun
from sanhao.rankings.runs import compute_scores, latest_run, recompute, unit_lines
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.targets.services import Entry, enter_figures, set_oversight

TODAY = dt.date(2026, 12, 31)
INDICATORS = ["sales", "fdi_received", "industrial_investment"]


def fill(world, units=None, *, month=6):
    """Every unit's plan, prior and an actual of `month`, a little different per unit."""
    for n, unit in enumerate(units or Unit.objects.order_by("pk")):
        entries = []
        for i, indicator in enumerate(INDICATORS):
            entries += [
                Entry(indicator, "plan", 0, 100 + 10 * i),
                Entry(indicator, "prior", 0, 80 + n),
                Entry(indicator, "actual", month, 50 + 7 * n + i),
            ]
        enter_figures(world.campaign, unit, entries, actor=world.office)


def scheme(world):
    return check_scheme(current_scheme(world.campaign).source)


def test_it_builds_the_engines_facts_from_the_database(world):
    fill(world)
    set_oversight(world.campaign, world.posts["A1"], ["sales"], actor=world.office)
    facts = build_facts(world.campaign, scheme(world), today=TODAY)
    ids = {c["id"]: c for c in facts["candidates"]}
    assert {"T-town-a", "L-town-a", "D-town-a-A002", "D-town-a-A003", "T-town-b"} <= set(ids)
    assert ids["D-town-a-A002"]["oversees"] == ["sales"]
    assert ids["L-town-a"]["months_in_post"] == 12
    assert ids["T-town-a"]["name"] == "甲镇班子"
    line = next(
        i for i in facts["indicators"] if i["unit"] == "town-a" and i["indicator"] == "sales"
    )
    # June's cumulative actual against the prior year's first six months (80 × 6/12).
    assert (Decimal(line["plan"]), Decimal(line["prior"]), Decimal(line["actual"])) == (100, 40, 50)


def test_in_december_the_prior_is_the_whole_prior_year(world):
    fill(world, month=12)
    facts = build_facts(world.campaign, scheme(world), today=TODAY)
    line = next(
        i for i in facts["indicators"] if i["unit"] == "town-a" and i["indicator"] == "sales"
    )
    assert (Decimal(line["prior"]), Decimal(line["actual"])) == (80, 50)


def test_it_takes_the_latest_month_and_the_newest_correction(world):
    fill(world, month=3)
    enter_figures(world.campaign, world.a, [Entry("sales", "actual", 5, 61),
                  Entry("sales", "actual", 4, 99)], actor=world.office)  # fmt: skip
    facts = build_facts(world.campaign, scheme(world), today=TODAY)
    line = next(
        i for i in facts["indicators"] if i["unit"] == "town-a" and i["indicator"] == "sales"
    )
    assert Decimal(line["actual"]) == 61  # May is the latest reported month


def test_it_counts_a_new_leaders_months_and_leaves_out_the_one_who_left(world):
    fill(world)
    org_services.end_post(world.posts["A0"], dt.date(2026, 5, 1), actor=world.office)
    newcomer = org_services.create_person(code="A099", name="新书记", gender="m",
                                          actor=world.office)  # fmt: skip
    org_services.start_post(newcomer, world.a, role="leader", title="党委书记",
                            start=dt.date(2026, 5, 1), actor=world.office)  # fmt: skip
    facts = build_facts(world.campaign, scheme(world), today=TODAY)
    leader = next(c for c in facts["candidates"] if c["id"] == "L-town-a")
    assert leader["name"].startswith("新书记") and leader["months_in_post"] == 8


def test_it_names_every_missing_plan(world):
    fill(world, [world.a])
    with pytest.raises(FactsIncomplete) as caught:
        build_facts(world.campaign, scheme(world), today=TODAY)
    assert caught.value.missing == ["乙街道·开票销售", "乙街道·到账外资", "乙街道·工业投资"]
    assert "乙街道·开票销售" in caught.value.message and "年度目标" in caught.value.message


def test_it_reads_the_database_in_the_same_number_of_queries_for_13_and_130_units(world):
    def count():
        fill(world, Unit.objects.filter(figures__isnull=True).distinct())
        rules = scheme(world)
        with CaptureQueriesContext(connection) as context:
            build_facts(world.campaign, rules, today=TODAY)
        return len(context.captured_queries)

    grow(world, 13, 3)
    small = count()
    grow(world, 130, 3)
    assert count() == small


def test_a_run_is_stored_with_its_lines_and_recomputes_to_the_same_bytes(world):
    fill(world)
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)
    assert run.engine_version and len(run.input_hash) == 64
    assert run.scheme_version == current_scheme(world.campaign)
    assert recompute(run) == run.result
    document = json.loads(run.result)
    assert document["input_hash"] == run.input_hash
    lines = unit_lines(run, "town-a")
    assert lines[0].candidate == "" and lines[0].document["indicators"][0]["indicator"] == "sales"
    team = next(line for line in lines if line.candidate == "T-town-a")
    assert team.k == Decimal(document["units"]["town-a"]["K"]).quantize(Decimal("0.01"))
    assert latest_run(world.campaign) == run
    entry = AuditEntry.objects.filter(action="rankings.scores.compute").get()
    assert entry.data["run"] == run.pk and entry.actor == world.office


def test_a_run_never_changes_and_later_figures_make_a_new_one(world):
    fill(world)
    first = compute_scores(world.campaign, actor=world.office, today=TODAY)
    enter_figures(world.campaign, world.a, [Entry("sales", "actual", 7, 300)], actor=world.office)
    second = compute_scores(world.campaign, actor=world.office, today=TODAY)
    assert second.input_hash != first.input_hash and latest_run(world.campaign) == second
    first.refresh_from_db()
    assert recompute(first) == first.result  # the first run still stands as it was
    first.result = "{}"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        ScoreRun.objects.all().delete()
    assert (
        ScoreLine.objects.filter(run=first).count() == ScoreLine.objects.filter(run=second).count()
    )


@pytest.mark.parametrize("who", ["liaison_a", "judge", "viewer"])
def test_only_the_office_computes(world, who):
    fill(world)
    with pytest.raises(DomainError, match="只有组织部工作专班"):
        compute_scores(world.campaign, actor=getattr(world, who), today=TODAY)
    assert not ScoreRun.objects.exists()


def test_process_records_reach_the_engine_and_move_k(world):
    from sanhao.records.tests.helpers import add

    fill(world)
    before = compute_scores(world.campaign, actor=world.office, today=TODAY)
    add(world)  # one study session of town A, on time
    facts = build_facts(world.campaign, scheme(world), today=TODAY)
    assert next(r for r in facts["records"] if r["unit"] == "town-a")["on_time"] is True
    after = compute_scores(world.campaign, actor=world.office, today=TODAY)
    k = {run: unit_lines(run, "town-a")[0].k for run in (before, after)}
    assert k[after] > k[before]
