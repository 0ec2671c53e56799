"""The year's shortfalls and remedies, and the overdue remedies, as .xlsx: the pages'
access checks (a liaison's own unit, a judge 403), a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.checks import access, services
from sanhao.checks.models import Remedy, RemedyStatus
from sanhao.lib import xlsx_export


@login_required
def remedies_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year, units = access.get_year_for_user(request.user, pk)
    remedies = (
        services.with_status(Remedy.objects.filter(shortfall__spot_check__year=year,
                                                   shortfall__unit__in=units))
        .select_related("shortfall__unit", "shortfall__post__person", "shortfall__spot_check",
                        "owner__person")
        .order_by("shortfall__spot_check__held_on", "shortfall__unit__order", "id")
    )  # fmt: skip
    today = timezone.localdate()
    rows = [
        [r.shortfall.spot_check.held_on, r.shortfall.spot_check.title, r.shortfall.unit.name,
         r.shortfall.post.person.name, r.shortfall.text, r.measure, r.owner.person.name,
         r.due_on, RemedyStatus(r.status).label,  # type: ignore[attr-defined]
         _("overdue") if r.status == RemedyStatus.OPEN and r.due_on < today else ""]  # type: ignore[attr-defined]
        for r in remedies
    ]  # fmt: skip
    title = _("Spot checks of %(year)s: shortfalls and remedies") % {"year": year.year}
    header = [_("date"), _("spot check"), _("unit"), _("person"), _("shortfall"), _("measure"),
              _("owner"), _("due date"), _("status"), _("overdue")]  # fmt: skip
    return xlsx_export.export(
        f"{title}.xlsx", xlsx_export.Sheet(_("remedies"), header, rows, title_row=title)
    )


@login_required
def overdue_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year, units = access.get_year_for_user(user, pk)
    today = timezone.localdate()
    remedies = services.overdue_remedies(
        year, units if getattr(user, "is_liaison", False) else None, today=today
    )
    rows = [
        [r.shortfall.unit.name, r.shortfall.post.person.name, r.shortfall.text, r.measure,
         r.owner.person.name, r.due_on, (today - r.due_on).days, r.shortfall.spot_check.title]
        for r in remedies
    ]  # fmt: skip
    title = _("Overdue remedies on %(day)s") % {"day": today.isoformat()}
    header = [_("unit"), _("person"), _("shortfall"), _("measure"), _("owner"), _("due date"),
              _("days overdue"), _("spot check")]  # fmt: skip
    return xlsx_export.export(
        f"{title}.xlsx", xlsx_export.Sheet(_("overdue"), header, rows, title_row=title)
    )
