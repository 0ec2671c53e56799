import datetime as dt

from sanhao.checks.services import add_shortfall, add_spot_check

HELD = dt.date(2026, 5, 20)


def spot_check(world, units=None, **kwargs):
    values = {"held_on": HELD, "title": "上半年点调会", "indicators": ["sales"],
              "minutes": "逐镇点评", "actor": world.office}  # fmt: skip
    values.update(kwargs)
    return add_spot_check(world.campaign, units=units or [world.a, world.b], **values)


def shortfall(world, check=None, post="A1", **kwargs):
    values = {"text": "工业投资滞后", "measure": "倒排节点", "due_on": dt.date(2026, 6, 30),
              "actor": world.office}  # fmt: skip
    values.update(kwargs)
    return add_shortfall(check or spot_check(world), world.posts[post], **values)
