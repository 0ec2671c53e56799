"""Entering and correcting process records: who may, what is refused, append-only rows."""

import datetime as dt
import itertools

import pytest

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import Phase
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.records.models import ProcessRecord
from sanhao.records.periods import is_on_time, period_span
from sanhao.records.services import correct_record, current_records
from sanhao.records.tests.helpers import add, everyone


def test_it_saves_a_record_with_the_team_attendance_and_an_audit_entry(world):
    rec = add(world, attendance=everyone(world.a, {"A002": "出差"}))
    assert [(a["number"], a["name"], a["present"], a["reason"]) for a in rec.attendance] == [
        ("A001", "甲书记", True, ""), ("A002", "甲镇长", False, "出差"), ("A003", "甲副镇长", True, ""),
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="records.record.add").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "talks"}, "没有过程记录类型"),
        ({"period": 13, "day": dt.date(2026, 12, 1)}, "1 到 12"),
        ({"day": dt.date(2025, 12, 30)}, "不在 2026"),
        ({"attendance": [{"number": "A001", "present": True}]}, "是否出席"),
        (
            {
                "attendance": [
                    {"number": "A001", "present": True},
                    {"number": "A002", "present": False},
                    {"number": "A003", "present": True},
                ]
            },
            "缺席",
        ),
        ({"attendance": [{"number": "B001", "present": True}]}, "不是本单位班子成员"),
    ],
)
def test_it_refuses_what_the_scheme_or_the_team_does_not_allow(world, kwargs, message):
    with pytest.raises(DomainError) as error:
        add(world, **kwargs)
    assert message in error.value.message
    assert not ProcessRecord.objects.exists()


def test_it_refuses_a_second_current_record_and_says_which_exists(world):
    add(world, topic="一月学习")
    with pytest.raises(DomainError) as error:
        add(world, day=dt.date(2026, 1, 20), topic="又一次")
    assert "一月学习" in error.value.message and "2026-01-10" in error.value.message


def test_it_refuses_another_units_liaison_the_judge_and_the_liaison_after_the_evaluation(world):
    with pytest.raises(DomainError):
        add(world, world.b, actor=world.liaison_a)
    with pytest.raises(DomainError):
        add(world, actor=world.judge)
    world.campaign.phase = Phase.EVALUATION
    world.campaign.save()
    with pytest.raises(DomainError) as error:
        add(world, actor=world.liaison_a)
    assert "评估" in error.value.message or "办公室" in error.value.message
    assert add(world, actor=world.office).pk


def test_it_corrects_with_a_new_row_that_supersedes_the_old_one(world):
    rec = add(world, topic="旧")
    with pytest.raises(DomainError):
        correct_record(rec, held_on=rec.held_on, topic="新", attendance=everyone(world.a),
                       reason="", actor=world.liaison_a)  # fmt: skip
    new = correct_record(rec, period=2, held_on=dt.date(2026, 2, 3), topic="新",
                         attendance=everyone(world.a), reason="月份填错", actor=world.liaison_a)  # fmt: skip
    assert new.supersedes == rec and new.reason == "月份填错"
    assert [r.pk for r in current_records(world.campaign)] == [new.pk]
    assert ProcessRecord.objects.count() == 2
    with pytest.raises(DomainError):
        correct_record(rec, held_on=rec.held_on, topic="再", attendance=everyone(world.a),
                       reason="再改", actor=world.liaison_a)  # fmt: skip
    assert AuditEntry.objects.filter(action="records.record.correct").count() == 1


def test_it_never_changes_or_deletes_a_stored_record(world):
    rec = add(world)
    rec.topic = "改"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.delete()
    with pytest.raises(AppendOnlyError):
        ProcessRecord.objects.update(topic="改")


@pytest.mark.parametrize(
    ("day", "period", "expected", "on_time"),
    [
        (dt.date(2026, 3, 31), 3, 12, True),
        (dt.date(2026, 4, 1), 3, 12, False),
        (dt.date(2026, 2, 28), 3, 12, False),
        (dt.date(2026, 6, 30), 2, 4, True),
        (dt.date(2026, 7, 1), 2, 4, False),
        (dt.date(2026, 12, 31), 1, 1, True),
    ],
)
def test_it_computes_on_time_from_the_period(day, period, expected, on_time):
    assert is_on_time(day, 2026, period, expected) is on_time


def test_it_splits_a_year_evenly_when_the_count_does_not_divide_twelve():
    spans = [period_span(2026, p, 5) for p in range(1, 6)]
    assert spans[0][0] == dt.date(2026, 1, 1) and spans[-1][1] == dt.date(2026, 12, 31)
    assert all(b[0] - a[1] == dt.timedelta(days=1) for a, b in itertools.pairwise(spans))


def test_it_closes_a_locked_month_to_the_liaison_and_leaves_it_to_the_office(world):
    """A liaison enters and corrects a month's records until the office locks the month."""
    from sanhao.targets.services import lock_month

    march = add(world, period=3)
    lock_month(world.campaign, 3, actor=world.office)
    lock_month(world.campaign, 4, actor=world.office)
    with pytest.raises(DomainError, match="3 月已锁定"):
        correct_record(march, held_on=march.held_on, topic="改", attendance=everyone(world.a),
                       reason="主题写错", actor=world.liaison_a)  # fmt: skip
    with pytest.raises(DomainError, match="4 月已锁定"):
        add(world, period=4)
    # Moving a record out of an open month into a locked one is refused too.
    may = add(world, period=5)
    with pytest.raises(DomainError, match="4 月已锁定"):
        correct_record(may, period=4, held_on=dt.date(2026, 4, 20), topic="改",
                       attendance=everyone(world.a), reason="期次写错", actor=world.liaison_a)  # fmt: skip
    late = add(world, period=4, actor=world.office)
    fixed = correct_record(march, held_on=march.held_on, topic="改", attendance=everyone(world.a),
                           reason="主题写错", actor=world.office)  # fmt: skip
    assert late.created_by == world.office and fixed.supersedes == march
