"""The newest score run's K of every unit and deputy as .xlsx: the scores page's
access check (the office and the viewer), a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.lib import xlsx_export
from sanhao.orgs.models import Unit
from sanhao.rankings import access, runs
from sanhao.rankings.models import ScoreLine


@login_required
def scores_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_scores_reader(request.user, pk)
    run = runs.latest_run(year)
    rows = []
    if run is not None:
        names = dict(Unit.objects.filter(district_id=year.district_id).values_list("code", "name"))
        lines = ScoreLine.objects.filter(run=run).only(
            "unit", "candidate", "category", "k", "document"
        )
        for line in lines.order_by("unit", "id"):
            who = line.document.get("name", "") if line.candidate else _("the unit's team")
            rows.append([line.unit, names.get(line.unit, line.unit), line.category,
                         line.candidate, who, line.k])  # fmt: skip
    title = _("Scores of %(year)s") % {"year": year.year}
    if run is not None:
        title += f" · {run.created:%Y-%m-%d %H:%M}"
    header = [_("unit code"), _("unit"), _("category"), _("candidate"), _("name"), "K"]
    return xlsx_export.export(
        f"{_('Scores of %(year)s') % {'year': year.year}}.xlsx",
        xlsx_export.Sheet(_("scores"), header, rows, title_row=title),
    )
