"""The year's score events as .xlsx, with the list page's access check (a liaison's own
unit only, a judge 403) and a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.campaigns.access import get_year
from sanhao.events import services
from sanhao.events.models import ScoreEvent
from sanhao.lib import xlsx_export
from sanhao.orgs import access as org_access
from sanhao.rankings.services import check_scheme, current_scheme


@login_required
def event_list_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    units = org_access.units_for_user(request.user)  # 403 for a judge
    year = get_year(pk)
    units = units.filter(district_id=year.district_id)
    items = services.items_of(check_scheme(current_scheme(year).source))
    events = (
        ScoreEvent.objects.filter(year=year, unit__in=units)
        .select_related("unit", "post__person", "withdrawal", "created_by")
        .order_by("-happened_on", "-id")
    )
    rows = []
    for e in events:
        withdrawal = getattr(e, "withdrawal", None)
        rows.append([e.happened_on, e.get_kind_display(), items.get(e.kind, {}).get(e.item, e.item),
                     e.unit.name, e.post.person.name if e.post else _("the unit's team"), e.count,
                     e.note, e.evidence, withdrawal.reason if withdrawal else ""])  # fmt: skip
    title = _("Score events of %(year)s") % {"year": year.year}
    header = [_("date"), _("kind"), _("item"), _("unit"), _("concerns"), _("count"),
              _("what happened"), _("evidence"), _("withdrawn, with the reason")]  # fmt: skip
    return xlsx_export.export(
        f"{title}.xlsx", xlsx_export.Sheet(_("events"), header, rows, title_row=title)
    )
