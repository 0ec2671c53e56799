"""Entering a unit's targets and actuals, locking months, a deputy's 分管 indicators.

Every write is atomic and leaves one audit entry. A liaison writes their own unit's
figures until the office locks the month; after that only the office corrects, with a
reason. The indicators are the year's scheme's: a figure for an indicator the scheme
does not have is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import is_office, require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import CampaignYear
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Post, Role, Unit
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.scoring.scheme import Indicator
from sanhao.targets.models import Figure, MonthLock, Oversight

# The engine's bound for every number (docs/scheme.md) and the column's decimals.
MAX_VALUE = Decimal(10) ** 15
PLACES = 4


def indicators_of(year: CampaignYear) -> tuple[Indicator, ...]:
    """The indicators of the year's current scheme, in the scheme's order."""
    return check_scheme(current_scheme(year).source).indicators


def can_write_unit(actor: Any, unit: Unit) -> bool:
    return is_office(actor) or bool(
        getattr(actor, "is_liaison", False) and actor.unit_id == unit.pk
    )


@dataclass(frozen=True)
class Entry:
    """One figure as a form or a workbook row gives it."""

    indicator: str
    kind: str
    month: int
    value: Any


def current_figures(year: CampaignYear, units: list[Unit] | None = None) -> dict[tuple, Decimal]:
    """{(unit id, indicator, kind, month): value}: the newest row of each, one query."""
    rows = Figure.objects.filter(year=year)
    if units is not None:
        rows = rows.filter(unit__in=units)
    newest: dict[tuple, Decimal] = {}
    for unit_id, indicator, kind, month, value in rows.order_by("id").values_list(
        "unit_id", "indicator", "kind", "month", "value"
    ):
        newest[(unit_id, indicator, kind, month)] = value
    return newest


def locked_months(year: CampaignYear) -> set[int]:
    return set(MonthLock.objects.filter(year=year).values_list("month", flat=True))


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool):
        raise DomainError(_("%(where)s: not a number") % {"where": where})
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(where)s: not a number") % {"where": where}) from None
    if not number.is_finite() or number < 0 or number >= MAX_VALUE:
        raise DomainError(
            _("%(where)s: must be a number from 0 to less than 10¹⁵") % {"where": where}
        )
    if number.as_tuple().exponent < -PLACES:  # type: ignore[operator]
        raise DomainError(
            _("%(where)s: at most %(n)s decimal places") % {"where": where, "n": PLACES}
        )
    return number


class UnitFiguresRefused(DomainError):
    """A unit's figures in a batch were refused; `unit` says whose."""

    def __init__(self, message: str, unit: Unit) -> None:
        super().__init__(message)
        self.unit = unit


@transaction.atomic
def enter_figures(
    year: CampaignYear, unit: Unit, entries: list[Entry], *, reason: str = "", actor: Any
) -> list[Figure]:
    """Save the figures that changed; nothing if one is wrong. Returns the new rows."""
    try:
        return enter_figures_of_units(year, [(unit, entries)], reason=reason, actor=actor)
    except UnitFiguresRefused as error:
        raise DomainError(error.message) from None


@transaction.atomic
def enter_figures_of_units(
    year: CampaignYear,
    batches: list[tuple[Unit, list[Entry]]],
    *,
    reason: str = "",
    actor: Any,
    source: dict[str, Any] | None = None,
) -> list[Figure]:
    """Several units' figures at once, as an import gives them: the checks of
    `enter_figures` for each, every figure or none saved, in a fixed number of queries.
    One unit leaves the audit entry `targets.figures.enter` on the unit; several leave
    one `targets.figures.import` on the year listing every change (and `source`, what
    the import says of its file). UnitFiguresRefused names the unit refused."""
    for unit, _entries in batches:
        if not can_write_unit(actor, unit):
            raise UnitFiguresRefused(_("You may only enter the figures of your own unit."), unit)
        if unit.district_id != year.district_id:
            raise UnitFiguresRefused(_("This unit is not in the campaign year's district."), unit)
    names = {i.id: i.name for i in indicators_of(year)}
    locked = locked_months(year)
    single = len(batches) == 1
    current = current_figures(year, [batches[0][0]] if single else None) if batches else {}
    reason = reason.strip()
    new: list[Figure] = []
    changes: dict[str, list[list[Any]]] = {}
    now = timezone.now()
    kinds = dict(Figure.Kind.choices)
    for unit, entries in batches:
        for entry in entries:
            try:
                figure, previous = _figure(year, unit, entry, names, kinds, locked, current,
                                           reason=reason, actor=actor, now=now)  # fmt: skip
            except DomainError as error:
                raise UnitFiguresRefused(error.message, unit) from None
            if figure is None:
                continue
            new.append(figure)
            changes.setdefault(unit.code, []).append(
                [entry.indicator, entry.kind, figure.month, str(figure.value), _text(previous)]
            )
    if not new:
        return new
    Figure.objects.bulk_create(new, batch_size=1000)
    if single:
        record(
            "targets.figures.enter",
            actor=actor,
            obj=batches[0][0],
            data={"year": year.year, "reason": reason, "figures": changes[batches[0][0].code]},
        )
    else:
        record(
            "targets.figures.import",
            actor=actor,
            obj=year,
            data={"year": year.year, "reason": reason, **(source or {}),
                  "units": len(changes), "changed": len(new), "figures": changes},
        )  # fmt: skip
    return new


def _figure(
    year: CampaignYear,
    unit: Unit,
    entry: Entry,
    names: dict[str, str],
    kinds: dict[str, Any],
    locked: set[int],
    current: dict[tuple, Decimal],
    *,
    reason: str,
    actor: Any,
    now: dt.datetime,
) -> tuple[Figure | None, Decimal | None]:
    """The new row of one entry (None when it says what is saved), and the figure before."""
    name = names.get(entry.indicator)
    if name is None:
        raise DomainError(_("The year's scheme has no indicator %(id)s.") % {"id": entry.indicator})
    if entry.kind not in kinds:
        raise DomainError(_("Unknown kind of figure: %(kind)s") % {"kind": entry.kind})
    month = entry.month if entry.kind == Figure.Kind.ACTUAL else 0
    if entry.kind == Figure.Kind.ACTUAL and not 1 <= month <= 12:
        raise DomainError(_("An actual needs a month from 1 to 12."))
    where = f"{name} {kinds[entry.kind]}" + (_(" (month %(m)s)") % {"m": month} if month else "")
    value = _number(entry.value, where)
    if entry.kind == Figure.Kind.PLAN and value == 0:
        raise DomainError(_("%(where)s: the plan must be more than 0") % {"where": where})
    previous = current.get((unit.pk, entry.indicator, entry.kind, month))
    if previous is not None and previous == value:
        return None, previous
    if month in locked:
        if not is_office(actor):
            raise DomainError(
                _("Month %(m)s is locked: ask the campaign office to correct it.") % {"m": month}
            )
        if not reason:
            raise DomainError(
                _("Month %(m)s is locked: a correction needs a reason.") % {"m": month}
            )
    figure = Figure(
        year=year, unit=unit, indicator=entry.indicator, kind=entry.kind, month=month,
        value=value, reason=reason[:200], created=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    return figure, previous


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def lock_month(year: CampaignYear, month: int, *, actor: Any) -> MonthLock:
    require_office_actor(actor)
    if not 1 <= month <= 12:
        raise DomainError(_("An actual needs a month from 1 to 12."))
    if MonthLock.objects.filter(year=year, month=month).exists():
        raise DomainError(_("Month %(m)s is already locked.") % {"m": month})
    lock = MonthLock.objects.create(
        year=year, month=month, created=timezone.now(), created_by=actor
    )
    record("targets.month.lock", actor=actor, obj=year, data={"year": year.year, "month": month})
    return lock


@transaction.atomic
def set_oversight(year: CampaignYear, post: Post, indicators: list[str], *, actor: Any) -> None:
    """The indicators a deputy's post oversees in the year (replacing the earlier set)."""
    require_office_actor(actor)
    if post.role != Role.DEPUTY:
        raise DomainError(_("Only a deputy's post oversees indicators."))
    known = {i.id for i in indicators_of(year)}
    unknown = sorted(set(indicators) - known)
    if unknown:
        raise DomainError(
            _("The year's scheme has no indicator %(id)s.") % {"id": ", ".join(unknown)}
        )
    before = sorted(
        Oversight.objects.filter(year=year, post=post).values_list("indicator", flat=True)
    )
    after = sorted(set(indicators))
    if before == after:
        return
    Oversight.objects.filter(year=year, post=post).delete()
    Oversight.objects.bulk_create([Oversight(year=year, post=post, indicator=i) for i in after])
    record(
        "targets.oversight.set",
        actor=actor,
        obj=post,
        data={"year": year.year, "before": before, "after": after},
    )


def months_in_post(posts: list[Post], year: int, today: dt.date | None = None) -> int:
    """The calendar months of `year`, up to `today`, that these posts cover whole: the
    months in post of docs/scoring.md §0. A post that starts on the 1st covers its first
    month; one that ends (its first day no longer held) on the 1st does not cover that
    month; a month not over yet does not count."""
    limit = min(dt.date(year + 1, 1, 1), (today or dt.date.today()) + dt.timedelta(days=1))
    months: set[int] = set()
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        after = dt.date(year + (month == 12), month % 12 + 1, 1)
        if after > limit:
            break
        if any(p.start <= first and (p.end is None or p.end >= after) for p in posts):
            months.add(month)
    return len(months)
