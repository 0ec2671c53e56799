"""A year's record for the leaderboard's tests, built through the apps' services: every
unit's plans and a few months of actuals, process records, a project, a spot check with a
shortfall, a score run; and, for "after the decision", the awards of a decision."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from sanhao.awards import models as awards
from sanhao.orgs.models import Post, Role, Unit
from sanhao.rankings.models import ScoreLine, ScoreRun
from sanhao.rankings.runs import compute_scores
from sanhao.targets.services import Entry, enter_figures

INDICATORS = ["sales", "fdi_received", "industrial_investment"]


def figures(world, units=None, months=(3, 6)) -> None:
    """Every unit's plan and prior, and cumulative actuals of `months`, a little different
    per unit (town A ahead of town B)."""
    for n, unit in enumerate(units or Unit.objects.order_by("pk")):
        entries = []
        for i, indicator in enumerate(INDICATORS):
            entries += [Entry(indicator, "plan", 0, 100 + 10 * i), Entry(indicator, "prior", 0, 80)]
            entries += [Entry(indicator, "actual", m, (60 - 9 * n + i) * m // 6) for m in months]
        enter_figures(world.campaign, unit, entries, actor=world.office)


def record(world, unit, period: int = 1, held_on: dt.date = dt.date(2026, 1, 9)) -> None:
    from sanhao.records.services import add_record, team_of

    add_record(world.campaign, unit, type="study", period=period, held_on=held_on, topic="学习",
               text="", actor=world.office,
               attendance=[{"number": p.person.code, "present": True} for p in team_of(unit)])  # fmt: skip


def project(world, unit) -> None:
    from sanhao.projects.services import add_milestone, register_project, update_milestone

    leader = Post.objects.current().filter(unit=unit, role=Role.LEADER).get()
    found = register_project(world.campaign, unit, kind="secretary", owner=leader,
                             title=f"{unit.name}书记项目", goal="建成服务中心", actor=world.office)  # fmt: skip
    done = add_milestone(found, title="选址", due_on=dt.date(2026, 3, 31), actor=world.office)
    add_milestone(found, title="建成", due_on=dt.date(2026, 12, 31), actor=world.office)
    update_milestone(done, action="done", text="已选址", on=dt.date(2026, 3, 20),
                     actor=world.office)  # fmt: skip


def shortfall(world, unit, text: str = "招商引资进度偏慢") -> None:
    from sanhao.checks.services import add_shortfall, add_spot_check

    check = add_spot_check(world.campaign, held_on=dt.date(2026, 5, 20), title="二季度点调会",
                           indicators=["sales"], units=[unit], actor=world.office)  # fmt: skip
    post = Post.objects.current().filter(unit=unit).order_by("order", "pk")[0]
    add_shortfall(check, post, text=text, measure="每周调度重点项目", due_on=dt.date(2026, 6, 30),
                  actor=world.office)  # fmt: skip


def year_record(world) -> ScoreRun:
    """Figures for every unit, some records, a project and a shortfall of town A, a run."""
    figures(world)
    record(world, world.a)
    record(world, world.b, held_on=dt.date(2026, 2, 3))  # late: January's study in February
    project(world, world.a)
    shortfall(world, world.a)
    return compute_scores(world.campaign, actor=world.office)


def decide(world, run: ScoreRun) -> list[awards.Award]:
    """The awards of a decision on `run`: town A's team and its leader. The awards app's
    services are written at the same time; these rows are what they leave behind."""
    now = timezone.now()
    office = world.office
    snapshot = awards.Snapshot.objects.create(
        year=world.campaign, run=run, content="{}", content_hash=hashlib.sha256(b"t").hexdigest(),
        chain_head="0:" + "0" * 64, created=now, created_by=office)  # fmt: skip
    meeting = awards.Deliberation.objects.create(snapshot=snapshot, held_on=dt.date(2027, 1, 5),
                                                 attendees="区委组织部", agenda="研究论证",
                                                 created=now, created_by=office)  # fmt: skip
    notice = awards.Notice.objects.create(
        deliberation=meeting, title="公示", issuer="区委组织部", body="", how_to_object="来信",
        contact="区委组织部", starts=dt.date(2027, 1, 6), ends=dt.date(2027, 1, 12),
        working_days=5, published=now, published_by=office)  # fmt: skip
    decision = awards.Decision.objects.create(
        notice=notice, number="姜组〔2027〕1号", title="表彰决定", issuer="区委组织部", body="",
        issued_on=dt.date(2027, 1, 20), created=now, created_by=office)  # fmt: skip
    leader = world.posts["A0"]
    return [
        awards.Award.objects.create(decision=decision, year=world.campaign, category="team",
                                    candidate=f"T-{world.a.code}", unit=world.a,
                                    name=f"{world.a.name}班子", post="", order=1),
        awards.Award.objects.create(decision=decision, year=world.campaign, category="leader",
                                    candidate=f"L-{world.a.code}", unit=world.a,
                                    person=leader.person, name=leader.person.name,
                                    post=leader.title, order=2),
    ]  # fmt: skip


def scores_of(run: ScoreRun, unit: Unit) -> dict[str, dict]:
    """{candidate id: its line's document} of the unit in the run."""
    return {line.candidate: line.document
            for line in ScoreLine.objects.filter(run=run, unit=unit.code) if line.candidate}  # fmt: skip
