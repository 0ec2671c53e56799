import datetime as dt

from sanhao.records.services import add_record, team_of


def everyone(unit, absent: dict[str, str] | None = None) -> list[dict]:
    absent = absent or {}
    return [{"number": p.person.code, "present": p.person.code not in absent,
             "reason": absent.get(p.person.code, "")} for p in team_of(unit)]  # fmt: skip


def add(world, unit=None, *, type="study", period=1, day=None, actor=None, **kw):
    unit = unit or world.a
    return add_record(world.campaign, unit, type=type, period=period,
                      held_on=day or dt.date(2026, period, 10), topic=kw.pop("topic", "理论学习"),
                      attendance=kw.pop("attendance", everyone(unit)), text=kw.pop("text", ""),
                      actor=actor or world.liaison_a if unit == world.a else actor or world.office)  # fmt: skip
