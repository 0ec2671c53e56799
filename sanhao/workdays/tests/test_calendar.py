"""Working days and notice periods by the official calendar, and the office's entry of a
year the package does not know."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sanhao.audit.models import AuditEntry
from sanhao.lib.errors import DomainError
from sanhao.workdays import services
from sanhao.workdays.models import CalendarVersion
from sanhao.workdays.services import CalendarUnknown, is_working_day, notice_period

D = dt.date
Y2027 = """
# 国务院办公厅关于2027年部分节假日安排的通知（测试用）
2027-01-01 元旦 休
2027-02-06 春节调休 班
2027-02-10至2027-02-16 春节 休
"""


def test_it_counts_the_adjusted_sunday_before_the_2025_national_day():
    assert notice_period(D(2025, 9, 28)) == (D(2025, 9, 28), D(2025, 10, 10))
    days = services.working_days_between(D(2025, 9, 28), D(2025, 10, 10))
    assert days == [D(2025, 9, 28), D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9),
                    D(2025, 10, 10)]  # fmt: skip


def test_it_starts_after_the_holiday_and_counts_the_adjusted_saturday():
    start, end = notice_period(D(2025, 10, 1))
    assert start == D(2025, 10, 9)
    assert is_working_day(D(2025, 10, 11))  # Saturday, 调休上班
    # 10-09, 10-10, 10-11 (Sat), 10-13, 10-14
    assert end == D(2025, 10, 14)


def test_it_counts_an_ordinary_week():
    assert notice_period(D(2025, 11, 15)) == (D(2025, 11, 17), D(2025, 11, 21))
    assert notice_period(D(2025, 11, 17), 3) == (D(2025, 11, 17), D(2025, 11, 19))


def test_it_refuses_a_year_nobody_knows(db):
    with pytest.raises(CalendarUnknown) as error:
        notice_period(D(2027, 3, 1))
    assert "2027" in error.value.message and "工作日历" in error.value.message
    with pytest.raises(CalendarUnknown):
        is_working_day(D(2027, 3, 1))


def test_it_refuses_a_period_crossing_into_an_unknown_year_until_it_is_entered(world):
    with pytest.raises(CalendarUnknown):
        notice_period(D(2026, 12, 28))
    services.save_year(2027, Y2027, actor=world.office)
    # 12-28 … 12-31 (Mon–Thu), then 01-01 is 元旦, 01-04 Monday.
    assert notice_period(D(2026, 12, 28)) == (D(2026, 12, 28), D(2027, 1, 4))


def test_it_computes_an_entered_year(world):
    version = services.save_year(2027, Y2027, actor=world.office)
    assert version.number == 1 and version.days.count() == 9
    assert is_working_day(D(2027, 2, 6))  # Saturday, 调休
    assert not is_working_day(D(2027, 2, 10))
    assert is_working_day(D(2027, 2, 17))
    # 02-08, 02-09, then 02-17, 02-18, 02-19
    assert notice_period(D(2027, 2, 8)) == (D(2027, 2, 8), D(2027, 2, 19))
    assert (2027, services.OFFICE) in services.known_years()
    assert (2025, services.BUILTIN) in services.known_years()


def test_a_correction_is_a_new_version_and_the_newest_counts(world):
    services.save_year(2027, Y2027, actor=world.office)
    second = services.save_year(2027, "2027-02-09 除夕 休\n", actor=world.office)
    assert second.number == 2
    assert not is_working_day(D(2027, 2, 9))
    assert is_working_day(D(2027, 2, 10))  # no longer off in the newest version
    assert CalendarVersion.objects.filter(year=2027).count() == 2


def test_it_writes_an_audit_entry(world):
    version = services.save_year(2027, Y2027, actor=world.office)
    entry = AuditEntry.objects.get(action="workdays.calendar.save")
    assert entry.actor == world.office and entry.object_id == str(version.pk)
    assert entry.data == {"year": 2027, "number": 1, "holidays": 8, "working_days": 1}


def test_it_refuses_a_year_the_package_knows_and_anyone_but_the_office(world):
    with pytest.raises(DomainError, match="内置"):
        services.save_year(2025, "2025-10-01 国庆 休", actor=world.office)
    with pytest.raises(DomainError):
        services.save_year(2027, Y2027, actor=world.liaison_a)
    assert not CalendarVersion.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-01 元旦", "第1行"),
        ("元旦 2027-01-01 休", "第1行"),
        ("2027-02-30 休", "不存在"),
        ("2028-01-01 元旦 休", "2027"),
        ("2027-02-16至2027-02-10 春节 休", "第1行"),
        ("2027-01-01 元旦 休\n\n2027-01-01 元旦 休", "第3行：2027-01-01已在第1行"),
        ("2027-02-10至2027-02-16 春节 休\n2027-02-12 班", "第2行：2027-02-12已在第1行"),
        ("# 只有注释", "没有"),
    ],
)
def test_it_names_the_line_and_the_problem(world, text, expected):
    with pytest.raises(services.CalendarTextError) as error:
        services.save_year(2027, text, actor=world.office)
    assert expected in error.value.message, error.value.message
    assert not CalendarVersion.objects.exists()


def test_it_keeps_nothing_when_one_line_is_wrong(world):
    with pytest.raises(services.CalendarTextError) as error:
        services.save_year(2027, Y2027 + "2027-13-01 休\nfoo\n", actor=world.office)
    assert len(error.value.errors) == 2
    assert not CalendarVersion.objects.exists()


def test_the_office_enters_a_year_on_its_page(world):
    client = world.client_for(world.office)
    url = reverse("workdays:year", kwargs={"year": 2027})
    page = client.get(url).content.decode()
    assert "尚无" in page or "2027" in page
    bad = client.post(url, {"text": "2027-01-01 元旦"}).content.decode()
    assert "第1行" in bad and not CalendarVersion.objects.exists()
    response = client.post(url, {"text": Y2027})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "春节调休" in page and "office" in page
    index = client.get(reverse("workdays:index")).content.decode()
    assert "2027" in index


def test_the_index_computes_a_period(world):
    client = world.client_for(world.office)
    page = client.get(reverse("workdays:index"), {"first": "2025-10-01", "working_days": 5})
    body = page.content.decode()
    assert "2025-10-09" in body and "2025-10-14" in body
    unknown = client.get(reverse("workdays:index"), {"first": "2027-10-01", "working_days": 5})
    assert "2027" in unknown.content.decode() and unknown.status_code == 200


def test_a_built_in_year_shows_its_days_and_no_form(world):
    page = world.client_for(world.office).get(reverse("workdays:year", kwargs={"year": 2025}))
    body = page.content.decode()
    assert "2025-10-11" in body and "<textarea" not in body
