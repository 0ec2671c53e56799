"""Figures are entered through the services: own unit only, locked months, append-only."""

import datetime as dt
from decimal import Decimal

import pytest

from sanhao.audit.models import AuditEntry
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post
from sanhao.targets.models import Figure, Oversight
from sanhao.targets.services import (
    Entry,
    current_figures,
    enter_figures,
    lock_month,
    months_in_post,
    set_oversight,
)


def plan(value, indicator="sales"):
    return Entry(indicator, "plan", 0, value)


def actual(month, value, indicator="sales"):
    return Entry(indicator, "actual", month, value)


def test_a_liaison_enters_their_units_figures_and_the_newest_counts(world):
    rows = enter_figures(world.campaign, world.a, [plan("28.5"), Entry("sales", "prior", 0, 26),
                         actual(1, "2.1")], actor=world.liaison_a)  # fmt: skip
    assert len(rows) == 3
    enter_figures(world.campaign, world.a, [actual(1, "2.3")], actor=world.liaison_a)
    figures = current_figures(world.campaign)
    assert figures[(world.a.pk, "sales", "actual", 1)] == Decimal("2.3")
    assert Figure.objects.filter(kind="actual").count() == 2  # the history stays
    entry = AuditEntry.objects.filter(action="targets.figures.enter").order_by("seq").last()
    assert entry.data["figures"] == [["sales", "actual", 1, "2.3", "2.1000"]]


def test_an_unchanged_figure_writes_nothing(world):
    enter_figures(world.campaign, world.a, [plan(10)], actor=world.liaison_a)
    before = AuditEntry.objects.count()
    assert enter_figures(world.campaign, world.a, [plan("10.0")], actor=world.liaison_a) == []
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", ["liaison_b", "judge", "viewer"])
def test_no_one_else_enters_a_units_figures(world, who):
    with pytest.raises(DomainError, match="只能填报本镇街"):
        enter_figures(world.campaign, world.a, [plan(10)], actor=getattr(world, who))
    assert not Figure.objects.exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (Entry("nonsense", "plan", 0, 1), "没有指标"),
        (Entry("sales", "guess", 0, 1), "未知的数据类别"),
        (Entry("sales", "actual", 13, 1), "1 至 12"),
        (plan("abc"), "不是数字"),
        (plan(True), "不是数字"),
        (plan("-1"), "0 至"),
        (plan("1e400"), "0 至"),
        (plan("NaN"), "0 至"),
        (plan("1.23456"), "4 位小数"),
        (plan(0), "大于 0"),
    ],
)
def test_a_wrong_figure_is_refused_and_nothing_is_saved(world, entry, message):
    with pytest.raises(DomainError, match=message):
        enter_figures(world.campaign, world.a, [plan(5, "fdi_received"), entry],
                      actor=world.liaison_a)  # fmt: skip
    assert not Figure.objects.exists()


def test_a_locked_month_is_corrected_only_by_the_office_with_a_reason(world):
    enter_figures(world.campaign, world.a, [actual(3, 7)], actor=world.liaison_a)
    lock_month(world.campaign, 3, actor=world.office)
    with pytest.raises(DomainError, match="已锁定"):
        enter_figures(world.campaign, world.a, [actual(3, 8)], actor=world.liaison_a)
    with pytest.raises(DomainError, match="理由"):
        enter_figures(world.campaign, world.a, [actual(3, 8)], actor=world.office)
    enter_figures(world.campaign, world.a, [actual(3, 8)], reason="统计局更正", actor=world.office)
    assert current_figures(world.campaign)[(world.a.pk, "sales", "actual", 3)] == 8
    enter_figures(world.campaign, world.a, [actual(4, 9)], actor=world.liaison_a)  # April is open
    with pytest.raises(DomainError):
        lock_month(world.campaign, 3, actor=world.office)
    with pytest.raises(DomainError):
        lock_month(world.campaign, 4, actor=world.liaison_a)


def test_figures_are_never_changed_or_removed(world):
    (row,) = enter_figures(world.campaign, world.a, [plan(10)], actor=world.office)
    row.value = Decimal(11)
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        Figure.objects.update(value=1)
    with pytest.raises(AppendOnlyError):
        Figure.objects.all().delete()


def test_a_deputy_oversees_indicators_of_the_scheme(world):
    deputy = world.posts["A1"]
    set_oversight(world.campaign, deputy, ["sales", "fdi_received"], actor=world.office)
    assert set(Oversight.objects.values_list("indicator", flat=True)) == {"sales", "fdi_received"}
    set_oversight(world.campaign, deputy, ["sales"], actor=world.office)
    assert list(Oversight.objects.values_list("indicator", flat=True)) == ["sales"]
    with pytest.raises(DomainError, match="没有指标"):
        set_oversight(world.campaign, deputy, ["nonsense"], actor=world.office)
    with pytest.raises(DomainError, match="班副"):
        set_oversight(world.campaign, world.posts["A0"], ["sales"], actor=world.office)
    with pytest.raises(DomainError):
        set_oversight(world.campaign, deputy, ["sales"], actor=world.liaison_a)


@pytest.mark.parametrize(
    ("start", "end", "today", "months"),
    [
        (dt.date(2021, 10, 1), None, dt.date(2026, 12, 31), 12),
        (dt.date(2026, 3, 1), None, dt.date(2026, 12, 31), 10),
        (dt.date(2026, 3, 2), None, dt.date(2026, 12, 31), 9),  # March not whole
        (dt.date(2021, 1, 1), dt.date(2026, 7, 1), dt.date(2026, 12, 31), 6),
        (dt.date(2021, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 12, 31), 5),
        (dt.date(2021, 1, 1), None, dt.date(2026, 6, 15), 5),  # June is not over
        (dt.date(2027, 1, 1), None, dt.date(2027, 5, 1), 0),
    ],
)
def test_months_in_post_are_the_whole_months_of_the_year(start, end, today, months):
    assert months_in_post([Post(start=start, end=end)], 2026, today) == months
