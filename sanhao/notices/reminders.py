"""What the daily reminders are about, computed for one day in a fixed number of queries
whatever the number of units, records, remedies and deviations.

For each unit's liaison accounts, on day D:
- records missing at month end: each monthly record type of the year's scheme not yet
  recorded for a month, from `REMINDER_RECORD_DAYS` (5) days before the month ends until
  as many days after it ended;
- remedies still open and due within `REMINDER_REMEDY_DAYS` (3) days, or overdue;
- deviations still open after their deadline.
Only years in the plan or process phase are reminded of: from the evaluation on, the
liaisons no longer write the year's record.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sanhao.accounts.models import AccountRole, User
from sanhao.campaigns.models import CampaignYear, Phase
from sanhao.checks.models import Remedy
from sanhao.checks.services import OPEN as REMEDY_OPEN
from sanhao.checks.services import with_status as remedies_with_status
from sanhao.deviations.services import overdue_deviations
from sanhao.notices.models import NoticeKind
from sanhao.orgs.models import Unit
from sanhao.records.models import ProcessRecord
from sanhao.records.services import monthly, record_types_of

SHORT = 80  # characters of a measure or a problem quoted in a subject


@dataclass(frozen=True)
class Reminder:
    recipient_id: int
    unit_id: int
    kind: str
    key: str
    subject: str
    link: str


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_to_remind(day: dt.date, days: int) -> list[tuple[int, int]]:
    """(year, month) of the months whose records are reminded of on `day`: the current
    month when it ends within `days` days, the month before while it ended at most
    `days` days ago."""
    found = []
    if (month_end(day.year, day.month) - day).days <= days:
        found.append((day.year, day.month))
    first = day.replace(day=1)
    before = first - dt.timedelta(days=1)
    if (day - before).days <= days:
        found.append((before.year, before.month))
    return found


def reminder_years() -> list[CampaignYear]:
    return list(
        CampaignYear.objects.filter(phase__in=[Phase.PLAN, Phase.PROCESS]).select_related(
            "district"
        )
    )


def liaisons_by_unit() -> tuple[dict[int, list[User]], dict[int, Unit]]:
    """The active liaison accounts of each unit, and those units (one query)."""
    found: dict[int, list[User]] = defaultdict(list)
    units: dict[int, Unit] = {}
    for user in (
        User.objects.filter(role=AccountRole.LIAISON, is_active=True, unit__isnull=False)
        .select_related("unit")
        .order_by("unit_id", "pk")
    ):
        if user.unit is not None:
            found[user.unit.pk].append(user)
            units[user.unit.pk] = user.unit
    return found, units


def compute_reminders(day: dt.date) -> list[Reminder]:
    """Every reminder due on `day`, one per liaison account and thing, in a fixed order."""
    with translation.override(settings.LANGUAGE_CODE):
        return _compute(day)


def _compute(day: dt.date) -> list[Reminder]:
    years = reminder_years()
    liaisons, units = liaisons_by_unit()
    found: list[Reminder] = []

    def add(unit_id: int, kind: str, key: str, subject: str, link: str) -> None:
        for user in liaisons.get(unit_id, []):
            found.append(Reminder(user.pk, unit_id, kind, key, subject, link))

    # Records missing at month end.
    months = months_to_remind(day, int(settings.REMINDER_RECORD_DAYS))
    wanted = [(y, m) for y in years for (calendar_year, m) in months if y.year == calendar_year]
    if wanted:
        types = {y.pk: [t for t in record_types_of(y) if monthly(t)] for y, _m in wanted}
        held = set(
            ProcessRecord.objects.filter(
                year__in=[y for y, _m in wanted],
                period__in={m for _y, m in wanted},
                superseded_by__isnull=True,
            ).values_list("year_id", "unit_id", "type", "period")
        )
        for year, month in wanted:
            end = month_end(year.year, month)
            for unit in sorted(units.values(), key=lambda u: (u.order, u.code)):
                if unit.district_id != year.district_id:
                    continue
                link = reverse("records:unit_records", kwargs={"pk": year.pk, "code": unit.code})
                for record_type in types[year.pk]:
                    if (year.pk, unit.pk, record_type.type, month) in held:
                        continue
                    values = {"unit": unit.name, "type": record_type.name, "month": month,
                              "end": end.isoformat()}  # fmt: skip
                    subject = (
                        _("%(unit)s: %(type)s of month %(month)s is missing; the month ended on %(end)s.")
                        if end < day
                        else _("%(unit)s: %(type)s of month %(month)s is not recorded yet; the month ends on %(end)s.")
                    ) % values  # fmt: skip
                    add(unit.pk, NoticeKind.RECORD_MISSING,
                        f"record:{year.pk}:{unit.pk}:{record_type.type}:{month}", subject, link)  # fmt: skip

    # Remedies due soon or overdue.
    horizon = day + dt.timedelta(days=int(settings.REMINDER_REMEDY_DAYS))
    remedies = (
        remedies_with_status(
            Remedy.objects.filter(shortfall__spot_check__year__in=years, due_on__lte=horizon)
        )
        .filter(status=REMEDY_OPEN)  # type: ignore[misc]  # the annotation
        .select_related("shortfall__unit", "shortfall__post__person", "shortfall__spot_check")
        .order_by("due_on", "id")
    )
    for remedy in remedies:
        shortfall = remedy.shortfall
        values = {"unit": shortfall.unit.name, "who": shortfall.post.person.name,
                  "measure": _short(remedy.measure), "due": remedy.due_on.isoformat()}  # fmt: skip
        link = reverse("checks:list", kwargs={"pk": shortfall.spot_check.year_id})
        if remedy.due_on < day:
            subject = _("%(unit)s: the remedy “%(measure)s” of %(who)s was due on %(due)s and is still open.") % values  # fmt: skip
            kind = NoticeKind.REMEDY_OVERDUE
        else:
            subject = _("%(unit)s: the remedy “%(measure)s” of %(who)s is due on %(due)s.") % values  # fmt: skip
            kind = NoticeKind.REMEDY_DUE
        add(shortfall.unit_id, kind, f"remedy:{remedy.pk}", subject, link)

    # Deviations open past their deadline.
    for deviation in overdue_deviations(years, today=day):
        values = {"unit": deviation.unit.name, "problem": _short(deviation.problem),
                  "deadline": deviation.deadline.isoformat()}  # fmt: skip
        subject = _("%(unit)s: the deviation “%(problem)s” was to be corrected by %(deadline)s and is still open.") % values  # fmt: skip
        link = reverse("deviations:detail",
                       kwargs={"pk": deviation.year_id, "deviation_pk": deviation.pk})  # fmt: skip
        add(deviation.unit_id, NoticeKind.DEVIATION_OVERDUE, f"deviation:{deviation.pk}",
            subject, link)  # fmt: skip
    return found
