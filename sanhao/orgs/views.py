"""Pages of the organisation model: thin views, access → form → service → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.deviations.services import unit_deviations
from sanhao.jobs import services as jobs
from sanhao.lib.errors import DomainError
from sanhao.orgs import access, queries, services
from sanhao.orgs.forms import (
    DistrictForm,
    EndPostForm,
    PersonForm,
    PostCorrectForm,
    PostForm,
    RosterUploadForm,
    UnitForm,
)
from sanhao.orgs.models import District, Post
from sanhao.orgs.roster import build_template, import_roster_upload, problems_workbook
from sanhao.rankings.selectors import unit_overdue_remedies, unit_scores, unit_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_SHOWN = 200  # on the import page; all of them in the download


UNITS_PER_PAGE = 100
PAST_POSTS_PER_PAGE = 50


@login_required
def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    """One row per unit, its leader and team size computed by the database: the page
    fetches the rows it shows, not every post and person of the district."""
    scope = access.units_for_user(request.user)
    paginator = Paginator(range(scope.count()), UNITS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    ids = scope.values("id").query.sql_with_params()
    offset = (page.number - 1) * UNITS_PER_PAGE
    rows = queries.unit_rows(ids, offset=offset, limit=UNITS_PER_PAGE)
    return render(request, "orgs/unit_list.html", {"page": page, "rows": rows})


@login_required
def unit_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, code)
    year = unit_year(unit)  # the current campaign year, read once for both sections
    current = queries.current_posts(unit.pk)
    # The page is counted first, then only its rows are read.
    past: Paginator[Any] = Paginator(range(queries.past_post_count(unit.pk)), PAST_POSTS_PER_PAGE)
    past_page = past.get_page(request.GET.get("page"))
    offset = (past_page.number - 1) * PAST_POSTS_PER_PAGE
    past_page.object_list = queries.past_posts(unit.pk, offset=offset, limit=PAST_POSTS_PER_PAGE)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "year": year,
            "current": current,
            "past": past_page,
            "can_edit": request.user.is_office,
            "scores": unit_scores(unit, year),
            "overdue": unit_overdue_remedies(unit, year),
            "deviations": unit_deviations(unit, year),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: AuthenticatedRequest) -> HttpResponse:
    access.require_office(request.user)
    district = District.objects.order_by("pk").first()
    if district is None:
        messages.error(request, _("No district exists yet: import a roster first."))
        return redirect("orgs:roster_import")
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(district, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect("orgs:unit_detail", code=unit.code)
    return render(request, "orgs/form.html", {"form": form, "title": _("New unit")})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    unit = access.get_unit_for_office(request.user, code)
    initial = {"code": unit.code, "name": unit.name, "kind": unit.kind, "order": unit.order}
    form = UnitForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.UNIT_FIELDS}
        try:
            services.update_unit(unit, actor=request.user, **data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:unit_detail", code=unit.code)
    title = _("Edit %(name)s") % {"name": unit.name}
    return render(request, "orgs/form.html", {"form": form, "title": title, "unit": unit})


@login_required
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    people = access.people_for_user(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(name__icontains=query) | Q(code__icontains=query))
    page = Paginator(people.order_by("name", "code"), 50).get_page(request.GET.get("page"))
    # The posts shown are scoped too: a liaison sees the current posts in their unit only.
    current_posts = (
        access.posts_for_user(request.user).current().filter(person__in=list(page.object_list))
    )
    by_person: dict[int, list[Post]] = {}
    for post in current_posts.select_related("unit"):
        by_person.setdefault(post.person_id, []).append(post)
    rows = [{"person": p, "posts": by_person.get(p.pk, [])} for p in page.object_list]
    return render(
        request,
        "orgs/person_list.html",
        {"page": page, "rows": rows, "q": query, "can_edit": request.user.is_office},
    )


@login_required
def person_detail(request: AuthenticatedRequest, person_pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, person_pk)
    posts = access.posts_for_user(request.user).filter(person=person)
    posts = posts.select_related("unit").order_by("-start")
    return render(
        request,
        "orgs/person_detail.html",
        {"person": person, "posts": list(posts), "can_edit": request.user.is_office},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    access.require_office(request.user)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect("orgs:person_detail", person_pk=person.pk)
    return render(request, "orgs/form.html", {"form": form, "title": _("New person")})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, person_pk: int) -> HttpResponse:
    person = access.get_person_for_office(request.user, person_pk)
    initial = {f: getattr(person, f) for f in ("code", *services.PERSON_FIELDS)}
    form = PersonForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.PERSON_FIELDS}
        services.update_person(person, actor=request.user, **data)
        messages.success(request, _("Saved."))
        return redirect("orgs:person_detail", person_pk=person.pk)
    title = _("Edit %(name)s") % {"name": person.name}
    return render(request, "orgs/form.html", {"form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def post_create(request: AuthenticatedRequest, code: str) -> HttpResponse:
    unit = access.get_unit_for_office(request.user, code)
    form = PostForm(request.POST or None, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        try:
            services.start_post(person, unit, actor=request.user, **data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Post saved."))
            return redirect("orgs:unit_detail", code=unit.code)
    title = _("New post in %(name)s") % {"name": unit.name}
    return render(request, "orgs/form.html", {"form": form, "title": title, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: AuthenticatedRequest, post_pk: int) -> HttpResponse:
    post = access.get_post_for_office(request.user, post_pk)
    initial: dict[str, Any] = {f: getattr(post, f) for f in services.POST_FIELDS}
    form = PostCorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_post(post, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Post corrected; the audit log keeps the old values."))
            return redirect("orgs:unit_detail", code=post.unit.code)
    title = _("Correct the post of %(name)s") % {"name": post.person.name}
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "title": title,
            "unit": post.unit,
            "intro": _("Use this to fix a mistake. When the person leaves the post, end it."),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_end(request: AuthenticatedRequest, post_pk: int) -> HttpResponse:
    post = access.get_post_for_office(request.user, post_pk)
    form = EndPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_post(post, form.cleaned_data["end"], actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Post ended; it stays in the history."))
            return redirect("orgs:unit_detail", code=post.unit.code)
    title = _("End the post of %(name)s") % {"name": post.person.name}
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": title, "unit": post.unit, "intro": str(post)},
    )


@login_required
def roster_template(request: AuthenticatedRequest) -> HttpResponse:
    access.require_office(request.user)
    response = HttpResponse(build_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''roster-template.xlsx"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: AuthenticatedRequest) -> HttpResponse:
    access.require_office(request.user)
    district = District.objects.order_by("pk").first()
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    district_form = DistrictForm(request.POST or None) if district is None else None
    report = kept = None
    if (
        request.method == "POST"
        and form.is_valid()
        and (district_form is None or district_form.is_valid())
    ):
        data = form.cleaned_data["file"].read()
        name = district_form.cleaned_data["district"] if district_form is not None else ""
        if jobs.in_background(len(data)):
            return _roster_job(request, data, name)
        try:
            report, kept = import_roster_upload(data, district_name=name, actor=request.user)
        except DomainError as error:
            assert district_form is not None
            district_form.add_error("district", error.message)
    return render(
        request,
        "orgs/roster_import.html",
        {
            "form": form,
            "district_form": district_form,
            "report": report,
            "shown": report.problems[:PROBLEMS_SHOWN] if report else [],
            "kept": kept,
        },
    )


def _roster_job(request: AuthenticatedRequest, data: bytes, district_name: str) -> HttpResponse:
    """A large roster file is imported by a background job; its page shows the result."""
    from sanhao.jobs.views import follow

    job = jobs.start(
        "import", actor=request.user, upload=data, label=_("Roster import"),
        params={"importer": "roster", "district": district_name},
    )  # fmt: skip
    return follow(request, job, back=reverse("orgs:roster_import"))


@login_required
def roster_problems(request: AuthenticatedRequest, problems_pk: int) -> HttpResponse:
    """Every problem of a refused import as a workbook (the page shows the first ones)."""
    kept = access.get_roster_problems_for_office(request.user, problems_pk)
    content = problems_workbook(services.roster_problems_rows(kept))
    response = HttpResponse(content, content_type=XLSX)
    name = f"roster-problems-{kept.created:%Y%m%d-%H%M%S}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
