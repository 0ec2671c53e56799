import datetime as dt

from sanhao.projects.services import add_milestone, register_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def project(world, unit="A", kind="secretary", owner=None, actor=None, **kwargs):
    """A project of town A (or B), owned by its leader (a deputy for a deputy project)."""
    team = world.a if unit == "A" else world.b
    owner = owner or world.posts[f"{unit}{1 if kind == 'deputy' else 0}"]
    actor = actor or (world.liaison_a if unit == "A" else world.liaison_b)
    values = {"title": "党建+基层治理", "goal": "建成片区服务中心，下沉公共服务"}
    values.update(kwargs)
    return register_project(world.campaign, team, kind=kind, owner=owner, actor=actor, **values)


def milestone(world, proj, due=dt.date(2026, 6, 30), title="建成服务中心", actor=None):
    return add_milestone(proj, title=title, due_on=due, actor=actor or world.office)
