"""Working days by the official Chinese calendar, public holidays and adjusted working
days (调休上班) included.

The years `chinesecalendar` knows are authoritative; a later (or earlier) year counts
only once the office has entered the State Council's arrangement for it
(`save_year`). A day in a year neither knows raises `CalendarUnknown`: the platform never
guesses a notice period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.lib.errors import DomainError
from sanhao.workdays.models import CalendarDay, CalendarVersion

BUILTIN = "chinesecalendar"
OFFICE = "office"
# The years the package knows: those of its holiday table (it raises NotImplementedError
# outside them).
PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
# The years the office may enter: a sane window around the package's.
ENTERABLE_YEARS = range(2000, 2101)
# The package's holiday names, in Chinese through the catalogue.
HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("New Year's Day"),
    "Spring Festival": gettext_lazy("Spring Festival"),
    "Tomb-sweeping Day": gettext_lazy("Tomb-sweeping Day"),
    "Labour Day": gettext_lazy("Labour Day"),
    "Dragon Boat Festival": gettext_lazy("Dragon Boat Festival"),
    "National Day": gettext_lazy("National Day"),
    "Mid-autumn Festival": gettext_lazy("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": gettext_lazy("Anti-Fascist 70th Day"),
}
MAX_RANGE_DAYS = 31


class CalendarUnknown(DomainError):
    """A day needed lies in a year with no known holidays and adjusted working days."""

    def __init__(self, year: int) -> None:
        super().__init__(
            _(
                "No public holidays and adjusted working days are known for %(year)s yet: "
                "first enter the arrangement published by the General Office of the State "
                "Council under “Working-day calendar”."
            )
            % {"year": year}
        )
        self.year = year


class CalendarTextError(DomainError):
    """The lines the office typed do not parse; `errors` has one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Entry:
    """A day of a year's calendar: off (a holiday) or work (an adjusted working day)."""

    day: dt.date
    kind: str
    name: str


def package_knows(year: int) -> bool:
    return year in PACKAGE_YEARS


def latest_version(year: int) -> CalendarVersion | None:
    return CalendarVersion.objects.filter(year=year).order_by("-number").first()


def _office_days(year: int) -> dict[dt.date, str] | None:
    """The newest office version of `year` as day → kind, or None if never entered."""
    version = latest_version(year)
    if version is None:
        return None
    return dict(version.days.values_list("day", "kind"))


def _office_rule(year: int, cache: dict[int, dict[dt.date, str]]) -> dict[dt.date, str]:
    if year not in cache:
        days = _office_days(year)
        if days is None:
            raise CalendarUnknown(year)
        cache[year] = days
    return cache[year]


def _is_working(day: dt.date, cache: dict[int, dict[dt.date, str]]) -> bool:
    if package_knows(day.year):
        return bool(chinese_calendar.is_workday(day))
    kind = _office_rule(day.year, cache).get(day)
    if kind is not None:
        return kind == CalendarDay.Kind.WORK
    return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    """True on a working day: Monday to Friday that is no public holiday, or an adjusted
    working day on a weekend. CalendarUnknown for a year nobody knows."""
    return _is_working(day, {})


def notice_period(first: dt.date, working_days: int = 5) -> tuple[dt.date, dt.date]:
    """The period of `working_days` working days from `first`: it starts on the first
    working day on or after `first` and ends on the day the last of them falls on."""
    if working_days < 1:
        raise DomainError(_("A period needs at least one working day."))
    cache: dict[int, dict[dt.date, str]] = {}
    day, start, counted = first, None, 0
    while True:
        if _is_working(day, cache):
            start = start or day
            counted += 1
            if counted == working_days:
                return start, day
        day += dt.timedelta(days=1)


def working_days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The working days from `start` to `end`, both included."""
    cache: dict[int, dict[dt.date, str]] = {}
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return [d for d in days if _is_working(d, cache)]


def known_years() -> list[tuple[int, str]]:
    """Every year a period can be computed in, with its source: BUILTIN or OFFICE."""
    entered = set(CalendarVersion.objects.values_list("year", flat=True))
    years = {y: BUILTIN for y in PACKAGE_YEARS} | {y: OFFICE for y in entered - set(PACKAGE_YEARS)}
    return sorted(years.items())


def year_entries(year: int) -> list[Entry]:
    """The holidays and adjusted working days of `year`, by day; CalendarUnknown if none
    are known."""
    if package_knows(year):
        holidays = [
            Entry(d, CalendarDay.Kind.OFF, str(HOLIDAY_NAMES.get(n, n)))
            for d, n in chinese_calendar.holidays.items()
            if d.year == year
        ]
        working = [
            Entry(d, CalendarDay.Kind.WORK, str(HOLIDAY_NAMES.get(n, n)))
            for d, n in chinese_calendar.workdays.items()
            if d.year == year and d.weekday() >= 5
        ]
        return sorted(holidays + working, key=lambda e: e.day)
    version = latest_version(year)
    if version is None:
        raise CalendarUnknown(year)
    return [Entry(d.day, d.kind, d.name) for d in version.days.order_by("day")]


_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_LINE = re.compile(rf"^{_DATE}(?:\s*(?:至|到|~|～|—|–)\s*{_DATE})?(.*)$")
KIND_WORDS = {
    "休": CalendarDay.Kind.OFF,
    "休息": CalendarDay.Kind.OFF,
    "放假": CalendarDay.Kind.OFF,
    "班": CalendarDay.Kind.WORK,
    "上班": CalendarDay.Kind.WORK,
}


def parse_year(year: int, text: str) -> list[Entry]:
    """The lines of a year's arrangement, one day or range a line:
    `2027-01-01 元旦 休`, `2027-02-06 春节调休 班`, `2027-02-10至2027-02-16 春节 休`.
    Blank lines and lines starting with # are skipped. All problems at once
    (CalendarTextError), each naming its line."""
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    entries: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        problem = _parse_line(line, year, number, seen, entries)
        if problem:
            errors.append(_("line %(n)s: %(problem)s") % {"n": number, "problem": problem})
    if not errors and not entries:
        errors.append(_("No days entered: type one holiday or adjusted working day a line."))
    if errors:
        raise CalendarTextError(errors)
    return sorted(entries, key=lambda e: e.day)


def _date(parts: tuple[str | Any, ...]) -> dt.date | None:
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _parse_line(
    line: str, year: int, number: int, seen: dict[dt.date, int], entries: list[Entry]
) -> str | None:
    """Adds the line's days to `entries`; the problem in words, or None."""
    match = _LINE.match(line)
    if match is None:
        return _("it does not start with a date like 2027-01-01 or a range like "
                 "2027-02-10至2027-02-16.")  # fmt: skip
    groups = match.groups()
    start = _date(groups[0:3])
    end = _date(groups[3:6]) if groups[3] else start
    if start is None or end is None:
        return _("the date does not exist.")
    words = groups[6].split()
    if not words or words[-1] not in KIND_WORDS:
        return _("it must end with 休 (a holiday) or 班 (an adjusted working day).")
    kind, name = KIND_WORDS[words[-1]], " ".join(words[:-1])[:100]
    if start.year != year or end.year != year:
        return _("the date is not in %(year)s; this page enters %(year)s only.") % {"year": year}
    if end < start:
        return _("the range ends before it starts.")
    if (end - start).days >= MAX_RANGE_DAYS:
        return _("a range may not be longer than %(n)s days.") % {"n": MAX_RANGE_DAYS}
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    for day in days:
        if day in seen:
            return _("%(day)s is already listed on line %(line)s.") % {
                "day": day.isoformat(),
                "line": seen[day],
            }
    for day in days:
        seen[day] = number
        entries.append(Entry(day, kind, name))
    return None


@transaction.atomic
def save_year(year: int, text: str, *, actor: Any) -> CalendarVersion:
    """A new version of `year`'s calendar from the office's lines (all or nothing)."""
    require_office_actor(actor)
    if package_knows(year):
        raise DomainError(
            _(
                "The holidays and adjusted working days of %(year)s are built in "
                "(chinesecalendar) and cannot be entered."
            )
            % {"year": year}
        )
    if year not in ENTERABLE_YEARS:
        raise DomainError(
            _("Only years from %(first)s to %(last)s can be entered.")
            % {"first": ENTERABLE_YEARS[0], "last": ENTERABLE_YEARS[-1]}
        )
    entries = parse_year(year, text)
    last = CalendarVersion.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0
    version = CalendarVersion.objects.create(
        year=year, number=last + 1, text=text.strip(), created_by=actor
    )
    CalendarDay.objects.bulk_create(
        CalendarDay(version=version, day=e.day, kind=e.kind, name=e.name) for e in entries
    )
    off = sum(1 for e in entries if e.kind == CalendarDay.Kind.OFF)
    record("workdays.calendar.save", actor=actor, obj=version,
           data={"year": year, "number": version.number, "holidays": off,
                 "working_days": len(entries) - off})  # fmt: skip
    return version
