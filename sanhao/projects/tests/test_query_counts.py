"""The year's projects and the ranking read in the same number of queries for 13 and 130
units, each with a project, milestones, progress and a grade."""

import datetime as dt

import pytest
from django.urls import reverse

from sanhao.orgs.models import Post, Role, Unit
from sanhao.orgs.tests.test_query_counts import grow, queries
from sanhao.projects.models import Project
from sanhao.projects.services import (
    add_milestone,
    grade_project,
    register_project,
    update_milestone,
)


def projects_everywhere(world) -> None:
    """A graded secretary project with two milestones, one done, in each unit without one."""
    for unit in Unit.objects.exclude(projects__isnull=False).order_by("order"):
        leader = Post.objects.current().get(unit=unit, role=Role.LEADER)
        p = register_project(world.campaign, unit, kind="secretary", owner=leader,
                             title=f"{unit.name}书记项目", goal="目标", actor=world.office)  # fmt: skip
        done = add_milestone(p, title="选址", due_on=dt.date(2026, 3, 31), actor=world.office)
        add_milestone(p, title="建成", due_on=dt.date(2026, 9, 30), actor=world.office)
        update_milestone(done, action="done", text="批复", on=dt.date(2026, 3, 20),
                         actor=world.office)  # fmt: skip
        grade_project(p, medal="gold", points=unit.order % 7 + 80, reason="评定",
                      actor=world.office)  # fmt: skip


@pytest.mark.parametrize("name", ["projects:year_list", "projects:ranking"])
def test_it_reads_the_year_and_the_ranking_in_the_same_queries_for_13_and_130_units(world, name):
    client = world.client_for(world.office)
    page = reverse(name, kwargs={"pk": world.campaign.pk})
    grow(world, 13, 3)
    projects_everywhere(world)
    small = queries(client, page)
    grow(world, 130, 3)
    projects_everywhere(world)
    assert Project.objects.count() == 130
    assert queries(client, page) == small
    assert client.get(page).content.decode().count("书记项目</a>") == 130


def test_it_reads_a_project_page_in_the_same_queries_for_any_number_of_milestones(world):
    client = world.client_for(world.office)
    grow(world, 13, 3)
    projects_everywhere(world)
    p = Project.objects.get(unit=world.a)
    page = reverse("projects:detail", kwargs={"pk": world.campaign.pk, "project_pk": p.pk})
    small = queries(client, page)
    for month in range(1, 12):
        m = add_milestone(p, title=f"{month}月节点", due_on=dt.date(2026, month, 28),
                          actor=world.office)  # fmt: skip
        update_milestone(m, action="note", text="进展", actor=world.office)
    grade_project(p, medal="silver", reason="复评", actor=world.office)
    assert queries(client, page) == small
