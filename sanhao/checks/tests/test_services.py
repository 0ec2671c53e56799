"""Spot checks, shortfalls and remedies: who may write what, rows never change, the
current status is the newest update, overdue is computed."""

import datetime as dt

import pytest

from sanhao.audit.models import AuditEntry
from sanhao.checks.models import Remedy, RemedyUpdate, Shortfall, SpotCheck
from sanhao.checks.services import (
    allowed_statuses,
    correct_spot_check,
    current_spot_checks,
    overdue_remedies,
    status_of,
    update_remedy,
)
from sanhao.checks.tests.helpers import HELD, shortfall, spot_check
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.orgs import services as org_services

TODAY = dt.date(2026, 11, 30)


def test_it_records_a_spot_check_with_its_indicators_and_units(world):
    check = spot_check(world, indicators=["industrial_investment", "sales", "sales"])
    assert check.indicators == ["sales", "industrial_investment"]  # the scheme's order
    assert set(check.units.all()) == {world.a, world.b}
    entry = AuditEntry.objects.get(action="checks.spot_check.add")
    assert entry.data["units"] == ["town-a", "town-b"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"held_on": dt.date(2025, 12, 1)}, "2026"),
        ({"held_on": dt.date(2026, 12, 31)}, "晚于今天"),
        ({"title": "  "}, "标题"),
        ({"indicators": ["nonsense"]}, "没有这一指标"),
        ({"units": []}, "到会"),
    ],
)
def test_it_refuses_a_wrong_spot_check(world, kwargs, message, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: TODAY)
    units = kwargs.pop("units", None)
    with pytest.raises(DomainError, match=message):
        if units == []:
            from sanhao.checks.services import add_spot_check

            add_spot_check(world.campaign, held_on=HELD, title="x", indicators=[], units=[],
                           actor=world.office)  # fmt: skip
        else:
            spot_check(world, **kwargs)
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize("who", ["liaison_a", "judge", "viewer"])
def test_only_the_office_records_spot_checks_and_shortfalls(world, who):
    check = spot_check(world)
    user = getattr(world, who)
    with pytest.raises(DomainError, match="专班"):
        spot_check(world, actor=user)
    with pytest.raises(DomainError, match="专班"):
        shortfall(world, check, actor=user)
    with pytest.raises(DomainError, match="专班"):
        correct_spot_check(check, reason="x", held_on=HELD, title="x", indicators=[],
                           units=[world.a], actor=user)  # fmt: skip
    assert SpotCheck.objects.count() == 1 and not Shortfall.objects.exists()


def test_rows_are_append_only(world):
    found = shortfall(world)
    remedy = found.remedy
    update = update_remedy(remedy, status="open", note="推进中", actor=world.liaison_a)
    for row in (found.spot_check, found, remedy, update):
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
    with pytest.raises(AppendOnlyError):
        Remedy.objects.update(measure="改")
    with pytest.raises(AppendOnlyError):
        RemedyUpdate.objects.all().delete()


def test_a_correction_is_a_new_spot_check_that_keeps_the_shortfalls(world):
    check = spot_check(world)
    found = shortfall(world, check)
    with pytest.raises(DomainError, match="原因"):
        correct_spot_check(check, reason=" ", held_on=HELD, title="改", indicators=[],
                           units=[world.a], actor=world.office)  # fmt: skip
    with pytest.raises(DomainError, match="必须保留"):
        correct_spot_check(check, reason="到会单位录错", held_on=HELD, title="改",
                           indicators=[], units=[world.b], actor=world.office)  # fmt: skip
    new = correct_spot_check(check, reason="标题录错", held_on=HELD, title="上半年点调会（更正）",
                             indicators=["sales"], units=[world.a], actor=world.office)  # fmt: skip
    assert new.supersedes == check and new.reason == "标题录错"
    assert SpotCheck.objects.get(pk=check.pk).title == "上半年点调会"
    current = current_spot_checks(world.campaign)
    assert [c.pk for c in current] == [new.pk] and current[0].chain == [new.pk, check.pk]
    with pytest.raises(DomainError, match="已更正"):
        correct_spot_check(check, reason="again", held_on=HELD, title="x", indicators=[],
                           units=[world.a], actor=world.office)  # fmt: skip
    with pytest.raises(DomainError, match="已更正"):
        shortfall(world, check)
    shortfall(world, new, post="A2")
    assert Shortfall.objects.filter(unit=world.a).count() == 2 and found.spot_check == check


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"post": "A1", "owner": "B1"}, "不在该镇街"),
        ({"text": " "}, "短板"),
        ({"measure": ""}, "举措"),
        ({"due_on": dt.date(2026, 5, 1)}, "早于"),
    ],
)
def test_it_refuses_a_wrong_shortfall(world, kwargs, message):
    kwargs = dict(kwargs)
    if "owner" in kwargs:
        kwargs["owner"] = world.posts[kwargs["owner"]]
    with pytest.raises(DomainError, match=message):
        shortfall(world, **kwargs)
    assert not Shortfall.objects.exists() and not Remedy.objects.exists()


def test_it_refuses_a_shortfall_of_an_absent_unit_or_a_past_post(world):
    check = spot_check(world, units=[world.a])
    with pytest.raises(DomainError, match="未参加"):
        shortfall(world, check, post="B1")
    org_services.end_post(world.posts["A2"], dt.date(2026, 6, 1), actor=world.office)
    world.posts["A2"].refresh_from_db()
    with pytest.raises(DomainError, match="现任"):
        shortfall(world, check, post="A2")


def test_the_owner_is_the_same_person_by_default(world):
    assert shortfall(world).remedy.owner == world.posts["A1"]
    other = shortfall(world, post="A2", owner=world.posts["A0"])
    assert other.remedy.owner == world.posts["A0"]


def test_the_current_status_is_the_newest_update(world):
    remedy = shortfall(world).remedy
    assert status_of(remedy) == "open"
    update_remedy(remedy, status="open", note="已制定方案", actor=world.liaison_a)
    update_remedy(remedy, status="done", note="6月新开工3个项目", actor=world.liaison_a)
    assert status_of(Remedy.objects.get()) == "done"
    update_remedy(remedy, status="open", note="复查未达标，重新打开", actor=world.office)
    assert status_of(Remedy.objects.get()) == "open"
    assert RemedyUpdate.objects.count() == 3
    assert AuditEntry.objects.filter(action="checks.remedy.update").count() == 3


def test_a_liaison_updates_their_units_remedies_and_never_drops(world):
    remedy = shortfall(world).remedy
    assert allowed_statuses(world.liaison_a, remedy) == ["open", "done"]
    assert allowed_statuses(world.office, remedy) == ["open", "done", "dropped"]
    assert allowed_statuses(world.liaison_b, remedy) == []
    with pytest.raises(DomainError, match="专班"):
        update_remedy(remedy, status="dropped", note="不做了", actor=world.liaison_a)
    for who in ("liaison_b", "judge", "viewer"):
        with pytest.raises(DomainError, match="本单位"):
            update_remedy(remedy, status="open", note="x", actor=getattr(world, who))
    update_remedy(remedy, status="done", note="已完成", actor=world.liaison_a)
    with pytest.raises(DomainError, match="专班"):
        update_remedy(remedy, status="open", note="重开", actor=world.liaison_a)
    assert RemedyUpdate.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [("done", "佐证"), ("dropped", "原因"), ("open", "进展")],
)
def test_an_update_needs_its_note(world, status, message):
    remedy = shortfall(world).remedy
    with pytest.raises(DomainError, match=message):
        update_remedy(remedy, status=status, note="  ", actor=world.office)
    assert not RemedyUpdate.objects.exists()


def test_a_dropped_remedy_stays_dropped(world):
    remedy = shortfall(world).remedy
    update_remedy(remedy, status="dropped", note="岗位调整，另行安排", actor=world.office)
    with pytest.raises(DomainError, match="已放弃"):
        update_remedy(remedy, status="open", note="x", actor=world.office)
    with pytest.raises(DomainError, match="未知"):
        update_remedy(remedy, status="late", note="x", actor=world.office)


def test_it_computes_the_overdue_remedies(world):
    check = spot_check(world)
    late = shortfall(world, check, due_on=dt.date(2026, 11, 29)).remedy
    due_today = shortfall(world, check, post="A2", due_on=TODAY).remedy
    done = shortfall(world, check, post="A0", due_on=dt.date(2026, 6, 1)).remedy
    update_remedy(done, status="done", note="已完成", actor=world.office)
    dropped = shortfall(world, check, post="B0", due_on=dt.date(2026, 6, 1)).remedy
    update_remedy(dropped, status="dropped", note="不再需要", actor=world.office)
    noted = shortfall(world, check, post="B1", due_on=dt.date(2026, 7, 1)).remedy
    update_remedy(noted, status="open", note="推进中", actor=world.liaison_b)
    assert overdue_remedies(world.campaign, today=TODAY) == [noted, late]
    assert overdue_remedies(world.campaign, [world.a], today=TODAY) == [late]
    assert due_today not in overdue_remedies(world.campaign, today=TODAY)
    assert overdue_remedies(world.campaign, today=dt.date(2026, 6, 1)) == []


def test_the_liaison_stops_updating_remedies_when_the_evaluation_begins(world):
    """The evaluation reads the record of the year: from then on only the office adds to it."""
    from sanhao.campaigns.models import Phase

    remedy = shortfall(world).remedy
    world.campaign.phase = Phase.EVALUATION
    world.campaign.save()
    assert allowed_statuses(world.liaison_a, remedy) == []
    with pytest.raises(DomainError, match="评估"):
        update_remedy(remedy, status="done", note="已完成", actor=world.liaison_a)
    update_remedy(remedy, status="done", note="专班核实已完成", actor=world.office)
    assert RemedyUpdate.objects.get().created_by == world.office
