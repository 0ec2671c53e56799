"""The demo's projects: one per unit at least, of the three kinds, milestones done, late
and overdue, several graded with a tie and a regrade."""

import datetime as dt

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.conftest import PASSWORD
from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow
from sanhao.projects.demo import seed_projects
from sanhao.projects.models import Grade, Project
from sanhao.projects.selectors import project_rows, ranking


def test_it_seeds_a_project_per_unit_with_milestones_done_late_and_overdue(world):
    grow(world, 13, 12)
    units = list(Unit.objects.order_by("order"))
    for unit in units[2:]:
        create_account(username=f"liaison-{unit.code}", password=PASSWORD,
                       role=AccountRole.LIAISON, unit=unit, actor=world.office)  # fmt: skip
    seed_projects(world.campaign, units, world.office)
    rows = project_rows(world.campaign, today=dt.date(2026, 11, 30))
    assert {r.project.unit_id for r in rows} == {u.pk for u in units}
    assert {r.project.kind for r in rows} == {"secretary", "leader", "deputy"}
    assert {r.status for r in rows} >= {"in_progress", "done"}
    assert sum(r.overdue for r in rows) >= 3
    assert sum(r.late for r in rows) - sum(r.overdue for r in rows) >= 3  # done late
    ranked, ungraded = ranking(world.campaign, "secretary")
    assert len(ranked) >= 5 and ungraded and any(r.tied for r in ranked)
    assert (
        Grade.objects.count()
        > Project.objects.filter(pk__in=Grade.objects.values("project")).count()
    )  # a regrade stays as history
    liaison_made = Project.objects.filter(created_by__role=AccountRole.LIAISON).count()
    assert liaison_made >= 10
