"""Pages of the projects: the year's projects (filtered by kind and unit), a unit's
projects with the registration form, a project with its milestones, progress, grades
and forms, an evidence file's download, and the district ranking by kind. Thin: access
→ form → service → render or redirect. A liaison sees their own unit's only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.lib.errors import DomainError
from sanhao.lib.forms import form_errors
from sanhao.projects import access, selectors, services
from sanhao.projects.forms import (
    GradeForm,
    MilestoneForm,
    MilestoneUpdateForm,
    ProjectForm,
    ReasonForm,
)
from sanhao.projects.models import (
    Action,
    Evidence,
    Grade,
    Kind,
    Milestone,
    MilestoneUpdate,
    Project,
    ProjectRevision,
    Status,
)
from sanhao.projects.state import fold, project_status
from sanhao.records.files import stored_file_response


def _to_detail(project: Project) -> HttpResponse:
    return redirect("projects:detail", pk=project.year_id, project_pk=project.pk)


@login_required
@require_GET
def year_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    year, units = access.get_year_for_user(user, pk)  # 403 for a judge
    units_list = list(units.order_by("order", "code"))
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    code = request.GET.get("unit", "")
    chosen = [u for u in units_list if u.code == code] if code else units_list
    rows = selectors.project_rows(year, chosen, kind=kind or None) if chosen else []
    return render(request, "projects/year_list.html", {
        "year": year, "rows": rows, "units": units_list, "kinds": Kind.choices,
        "kind": kind, "unit_code": code if chosen else "",
        "today": timezone.localdate(), "can_rank": access.can_read_ranking(user),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def unit_projects(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    user = request.user
    year, unit = access.get_unit_for_user(user, pk, code)
    can_write = services.can_write(user, year, unit)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    form = None
    if can_write:
        form = ProjectForm(request.POST or None, owners=services.owners_in_year(year, unit))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                project = services.register_project(
                    year, unit, kind=data["kind"], owner=data["owner"], title=data["title"],
                    goal=data["goal"], actor=user,
                )  # fmt: skip
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Project registered: now add its milestones."))
                return _to_detail(project)
    return render(request, "projects/unit_projects.html", {
        "year": year, "unit": unit, "rows": selectors.project_rows(year, [unit]),
        "form": form, "today": timezone.localdate(), "can_list": access.can_read_ranking(user),
    })  # fmt: skip


@login_required
@require_GET
def detail(request: AuthenticatedRequest, pk: int, project_pk: int) -> HttpResponse:
    user = request.user
    project = access.get_project_for_user(user, pk, project_pk)
    year, unit = project.year, project.unit
    revisions = list(
        ProjectRevision.objects.filter(project=project)
        .select_related("owner__person", "created_by", "supersedes")
        .order_by("id")
    )
    current = revisions[-1]
    milestones = list(Milestone.objects.filter(project=project).order_by("due_on", "id"))
    updates: dict[int, list[MilestoneUpdate]] = {}
    for update in (
        MilestoneUpdate.objects.filter(milestone__project=project)
        .select_related("created_by")
        .order_by("id")
    ):
        updates.setdefault(update.milestone_id, []).append(update)
    files: dict[int, list[Evidence]] = {}
    for evidence in Evidence.objects.filter(update__milestone__project=project).order_by("id"):
        files.setdefault(evidence.update_id, []).append(evidence)
    grades = list(Grade.objects.filter(project=project).select_related("created_by").order_by("id"))
    today = timezone.localdate()
    office = is_office(user)
    can_write = services.can_write(user, year, unit) and not current.dropped
    rows, states = [], []
    for milestone in milestones:
        history = updates.get(milestone.pk, [])
        state = fold(milestone.due_on, history)
        states.append(state)
        actions = (
            services.allowed_actions(user, project, state.state) if not current.dropped else []
        )
        rows.append({
            "milestone": milestone, "state": state, "late": state.late(today),
            "overdue": state.overdue(today),
            "updates": [{"update": u, "files": files.get(u.pk, [])} for u in history],
            "actions": [(a, Action(a).label) for a in actions],
        })  # fmt: skip
    status = project_status(current.dropped, states)
    owners = services.owners_in_year(year, unit)
    revise_form = None
    if can_write:
        revise_form = ProjectForm(owners=owners, revising=True, initial={
            "owner": current.owner_id, "title": current.title, "goal": current.goal,
        })  # fmt: skip
    return render(request, "projects/detail.html", {
        "year": year, "unit": unit, "project": project, "current": current,
        "revisions": revisions, "rows": rows, "grades": grades,
        "grade": grades[-1] if grades else None, "status": status,
        "status_label": Status(status).label, "office": office,
        "can_write": can_write, "can_drop": can_write,
        "can_reinstate": office and current.dropped, "revise_form": revise_form,
        "milestone_form": MilestoneForm() if can_write else None,
        "grade_form": GradeForm() if office and not current.dropped else None,
        "reason_form": ReasonForm(), "can_rank": access.can_read_ranking(user),
    })  # fmt: skip


def _writer_project(request: AuthenticatedRequest, pk: int, project_pk: int) -> Project:
    project = access.get_project_for_user(request.user, pk, project_pk)
    if not services.can_write(request.user, project.year, project.unit):
        raise PermissionDenied
    return project


def _office_project(request: AuthenticatedRequest, pk: int, project_pk: int) -> Project:
    project = access.get_project_for_user(request.user, pk, project_pk)
    if not is_office(request.user):
        raise PermissionDenied
    return project


def _submit(
    request: AuthenticatedRequest,
    project: Project,
    form: Any,
    write: Callable[[dict[str, Any]], object],
    *,
    failed: str,
    done: str,
) -> HttpResponse:
    """The forms of the project page: the form's or the service's problems as a message
    (`failed` names what was not saved), or `done`; back to the project either way."""
    if not form.is_valid():
        messages.error(request, failed % {"problems": form_errors(form)})
        return _to_detail(project)
    try:
        write(form.cleaned_data)
    except DomainError as error:
        messages.error(request, failed % {"problems": error.message})
    else:
        messages.success(request, done)
    return _to_detail(project)


@login_required
@require_POST
def revise(request: AuthenticatedRequest, pk: int, project_pk: int) -> HttpResponse:
    project = _writer_project(request, pk, project_pk)
    owners = services.owners_in_year(project.year, project.unit)
    return _submit(
        request, project, ProjectForm(request.POST, owners=owners, revising=True),
        lambda d: services.revise_project(project, title=d["title"], goal=d["goal"],
                                          owner=d["owner"], reason=d["reason"],
                                          actor=request.user),
        failed=_("The correction was not saved: %(problems)s"),
        done=_("The project is corrected."),
    )  # fmt: skip


@login_required
@require_POST
def drop(request: AuthenticatedRequest, pk: int, project_pk: int) -> HttpResponse:
    project = _writer_project(request, pk, project_pk)
    return _submit(
        request, project, ReasonForm(request.POST),
        lambda d: services.drop_project(project, reason=d["reason"], actor=request.user),
        failed=_("The project was not dropped: %(problems)s"),
        done=_("The project is dropped; it stays in the record."),
    )  # fmt: skip


@login_required
@require_POST
def reinstate(request: AuthenticatedRequest, pk: int, project_pk: int) -> HttpResponse:
    project = _office_project(request, pk, project_pk)
    return _submit(
        request, project, ReasonForm(request.POST),
        lambda d: services.reinstate_project(project, reason=d["reason"], actor=request.user),
        failed=_("The project was not taken back: %(problems)s"),
        done=_("The project is taken back."),
    )  # fmt: skip


@login_required
@require_POST
def add_milestone(request: AuthenticatedRequest, pk: int, project_pk: int) -> HttpResponse:
    project = _writer_project(request, pk, project_pk)
    return _submit(
        request, project, MilestoneForm(request.POST),
        lambda d: services.add_milestone(project, title=d["title"], due_on=d["due_on"],
                                         actor=request.user),
        failed=_("The milestone was not saved: %(problems)s"),
        done=_("Milestone added."),
    )  # fmt: skip


@login_required
@require_POST
def update_milestone(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    user = request.user
    milestone = access.get_milestone_for_user(user, pk, milestone_pk)
    project = milestone.project
    if not services.can_write(user, project.year, project.unit):
        raise PermissionDenied
    return _submit(
        request, project, MilestoneUpdateForm(request.POST, request.FILES),
        lambda d: services.update_milestone(milestone, action=d["action"], text=d["text"],
                                            on=d["on"], file=d["file"], actor=user),
        failed=_("The progress was not saved: %(problems)s"),
        done=_("Progress recorded."),
    )  # fmt: skip


@login_required
@require_POST
def grade(request: AuthenticatedRequest, pk: int, project_pk: int) -> HttpResponse:
    project = _office_project(request, pk, project_pk)
    return _submit(
        request, project, GradeForm(request.POST),
        lambda d: services.grade_project(project, medal=d["medal"], points=d["points"],
                                         reason=d["reason"], actor=request.user),
        failed=_("The grade was not saved: %(problems)s"),
        done=_("Grade recorded."),
    )  # fmt: skip


@login_required
@require_GET
def download(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> FileResponse:
    evidence = access.get_evidence_for_user(request.user, pk, evidence_pk)
    return stored_file_response(evidence.stored_name, evidence.name, evidence.kind)


@login_required
@require_GET
def ranking(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_ranking(request.user, pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else Kind.SECRETARY
    graded, ungraded = selectors.ranking(year, kind)
    return render(request, "projects/ranking.html", {
        "year": year, "kind": kind, "kind_label": Kind(kind).label, "kinds": Kind.choices,
        "graded": graded, "ungraded": ungraded,
    })  # fmt: skip
