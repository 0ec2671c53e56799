"""The unit list and the people list as .xlsx, with the pages' access checks and a
fixed number of queries (sanhao.lib.xlsx_export neutralises formulas)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.lib import xlsx_export
from sanhao.orgs import access, queries
from sanhao.orgs.models import Post


@login_required
def unit_list_export(request: AuthenticatedRequest) -> HttpResponse:
    scope = access.units_for_user(request.user)
    ids = scope.values("id").query.sql_with_params()
    rows = [
        [r.code, r.name, r.get_kind_display(), r.size, r.leader_name or "", r.leader_title or ""]
        for r in queries.unit_rows(ids, offset=0, limit=scope.count())
    ]
    header = [_("unit code"), _("unit"), _("kind"), _("team size"), _("leader"), _("title")]
    return xlsx_export.export(f"{_('Units')}.xlsx", xlsx_export.Sheet(_("Units"), header, rows))


@login_required
def person_list_export(request: AuthenticatedRequest) -> HttpResponse:
    people = access.people_for_user(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(name__icontains=query) | Q(code__icontains=query))
    listed = list(people.order_by("name", "code"))
    by_person: dict[int, list[Post]] = {}
    posts = access.posts_for_user(request.user).current().filter(person__in=listed)
    for post in posts.select_related("unit").order_by("unit__order", "order"):
        by_person.setdefault(post.person_id, []).append(post)

    def row(person: Any) -> list[Any]:
        held = by_person.get(person.pk, [])
        return [person.code, person.name, person.get_gender_display(), person.birth_month,
                person.get_education_display(), person.party_joined,
                "；".join(f"{p.unit.name}{p.title}" for p in held)]  # fmt: skip

    header = [_("number"), _("name"), _("gender"), _("born"), _("education"),
              _("joined the Party"), _("current posts")]  # fmt: skip
    return xlsx_export.export(
        f"{_('People')}.xlsx", xlsx_export.Sheet(_("People"), header, (row(p) for p in listed))
    )
