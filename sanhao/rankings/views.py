from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit
from sanhao.rankings import access, editor, ranking, runs, selectors, services
from sanhao.rankings.forms import MAX_SCHEME_KB, SchemeForm, WhatIfForm
from sanhao.rankings.models import SchemeVersion, ScoreLine
from sanhao.scoring import Problem, Scheme
from sanhao.scoring.writer import dumps_scheme

TOML = "application/toml; charset=utf-8"


def _num(value: Decimal | int | None) -> str:
    """A number as the scheme writes it: 0.4, 30, 0.5 (never 0.40 or 3E+1)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return format(value.normalize(), "f") if value else "0"


def _readable(scheme: Scheme) -> dict[str, Any]:
    """The scheme as a clerk reads it: names, numbers as written, choices in words."""
    directions = {False: _("higher is better"), True: _("lower is better")}
    growth = {"efficacy": _("efficacy coefficient"), "rank": _("rank among units")}
    modes = {"score": _("scores per dimension"), "rank": _("ranks")}
    categories: list[dict[str, Any]] = []
    for rules in scheme.categories.values():
        ballot = rules.ballot
        items = [g for g in scheme.guidance if g.category == rules.category]
        categories.append(
            {
                "name": rules.name,
                "dimensions": rules.dimensions,
                "standards": [
                    {
                        "name": d,
                        "description": text,
                        "items": [g for g in items if g.dimension == d],
                    }
                    for d, text in zip(rules.dimensions, rules.descriptions, strict=True)
                ],
                "weights": {k: _num(v) for k, v in rules.weights.items()},
                "quota": rules.quota,
                "threshold": _num(rules.threshold) if rules.threshold is not None else "",
                "unit_cap": rules.unit_cap,
                "min_months_in_post": rules.min_months_in_post,
                "team_bottom_gate": rules.team_bottom_gate,
                "tie_break": " › ".join(rules.tie_break),
                "panel_mode": modes.get(rules.panel.mode, rules.panel.mode),
                "dimension_max": _num(rules.panel.dimension_max),
                "grades": [
                    {"name": g, "points": p}
                    for g, p in zip(ballot.grades, ballot.points, strict=True)
                ],
                "abstain": ballot.abstain,
                "top_share": _num(ballot.top_share),
                "quorum": _num(ballot.quorum),
                "bottom_limit": str(ballot.bottom_limit),
                "group_weights": [_num(w) for w in ballot.group_weights],
            }
        )
    team = next(iter(scheme.categories.values())).ballot
    groups = [
        {"id": gid, "name": name, "weights": [c["group_weights"][i] for c in categories]}
        for i, (gid, name) in enumerate(zip(team.groups, team.group_names, strict=True))
    ]
    return {
        "version": scheme.version,
        "title": scheme.title,
        "categories": categories,
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "unit": i.unit,
                "points": _num(i.points),
                "direction": directions[i.lower_is_better],
                "growth_method": growth.get(i.growth_method, i.growth_method),
                "alpha": _num(i.alpha),
            }
            for i in scheme.indicators
        ],
        "process_points": _num(scheme.process_points),
        "records": scheme.records,
        "bonus_max": _num(scheme.bonus_max),
        "bonus_items": [_item(i) for i in scheme.bonus_items],
        "deduction_max": _num(scheme.deduction_max),
        "deduction_items": [_item(i) for i in scheme.deduction_items],
        "vetoes": [{"id": k, "name": v} for k, v in scheme.veto_kinds.items()],
        "groups": groups,
        "guidance_count": len(scheme.guidance),
    }


def _item(item: Any) -> dict[str, str]:
    return {"id": item.id, "name": item.name, "points": _num(item.points), "cap": _num(item.cap)}


@login_required
def scheme(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_scheme_reader(request.user, pk)
    current = services.current_scheme(year)
    versions = (
        SchemeVersion.objects.filter(year=year)
        .select_related("created_by")
        .defer("source")
        .order_by("-number")
    )
    return render(
        request,
        "rankings/scheme.html",
        {
            "year": year,
            "heading": _("Scheme of %(title)s") % {"title": year.display_title},
            "current": current,
            "scheme": _readable(services.check_scheme(current.source)),
            "versions": versions,
            "locked": services.is_locked(year),
            "sections": editor.SECTIONS.values(),
        },
    )


def _download(version: SchemeVersion) -> HttpResponse:
    response = HttpResponse(version.source.encode("utf-8"), content_type=TOML)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{version.filename}"
    return response


@login_required
def download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_scheme_reader(request.user, pk)
    return _download(services.current_scheme(year))


@login_required
def download_version(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    return _download(access.get_scheme_version_for_user(request.user, pk, number))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    year = access.get_year_for_scheme_office(request.user, pk)
    current = services.current_scheme(year)
    problems: list[Any] = []
    if request.method == "POST":
        form = SchemeForm(request.POST, request.FILES)
        if form.is_valid():
            text, reason = form.cleaned_data["text"], form.cleaned_data["reason"]
            try:
                version = services.save_scheme_version(
                    year, text, reason=reason, actor=request.user
                )
            except services.SchemeProblems as error:
                problems = error.problems
                form.add_error(None, error.message)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Version %(number)s of the scheme saved.") % {"number": version.number},
                )
                return redirect("rankings:scheme", pk=year.pk)
            if form.cleaned_data.get("file") is not None:
                # The checked file's text in the box, to mend it in place.
                shown = request.POST.copy()
                shown["source"] = text
                form.data = shown
    else:
        form = SchemeForm(initial={"source": current.source})
    return render(
        request,
        "rankings/scheme_edit.html",
        {
            "year": year,
            "current": current,
            "form": form,
            "problems": problems,
            "locked": services.is_locked(year),
            "max_kb": MAX_SCHEME_KB,
            "sections": editor.SECTIONS.values(),
        },
    )


def _editor_comment(year: Any, number: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Scheme of %(title)s, version %(number)s, saved by the scheme editor.\n"
            "The scoring engine's scheme file: its format is described in docs/scheme.md."
        ) % {"title": year.display_title, "number": number}


@login_required
@require_http_methods(["GET", "POST"])
def edit_section(request: AuthenticatedRequest, pk: int, section: str) -> HttpResponse:
    """One section of the scheme as forms; saved as a new version once the engine accepts
    the whole scheme, the engine's problems beside the fields they concern."""
    year = access.get_year_for_scheme_office(request.user, pk)
    part_of = editor.SECTIONS.get(section)
    if part_of is None:
        raise Http404
    current = services.current_scheme(year)
    doc = tomllib.loads(current.source)
    elsewhere: list[Problem] = []
    problems: list[Problem] = []
    if request.method == "POST":
        meta = editor.MetaForm(request.POST, prefix="meta")
        parts = part_of.parts(doc, request.POST)
        if meta.is_valid() and meta.cleaned_data["base"] != current.number:
            messages.error(
                request,
                _(
                    "The scheme changed while you were editing: version %(number)s was saved "
                    "meanwhile. Here is the newest version; make your change again."
                )
                % {"number": current.number},
            )
            return redirect("rankings:scheme_section", pk=year.pk, section=section)
        if meta.is_valid() and all(part.is_valid for part in parts):
            new, at = editor.build(part_of, doc, parts)
            editor.numbered(new, doc, year.year, current.number)
            text = dumps_scheme(new, comment=_editor_comment(year, current.number + 1))
            try:
                version = services.save_scheme_version(
                    year, text, reason=meta.cleaned_data["reason"], actor=request.user,
                    base=current.number, via=f"editor:{section}",
                )  # fmt: skip
            except services.SchemeProblems as error:
                problems = error.problems
                elsewhere = at.place(error.problems)
                meta.add_error(None, error.message)
            except services.ReasonRequired as error:
                meta.add_error("reason", error.message)
            except DomainError as error:
                meta.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Version %(number)s of the scheme saved.") % {"number": version.number},
                )
                return redirect(reverse("rankings:scheme", kwargs={"pk": year.pk})
                                + f"#{section}")  # fmt: skip
    else:
        meta = editor.MetaForm(initial={"base": current.number}, prefix="meta")
        parts = part_of.parts(doc, None)
    return render(
        request,
        "rankings/scheme_section.html",
        {
            "year": year,
            "current": current,
            "section": part_of,
            "sections": editor.SECTIONS.values(),
            "parts": parts,
            "meta": meta,
            "problems": problems,
            "elsewhere": elsewhere,
            "locked": services.is_locked(year),
        },
    )


@login_required
def scores(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The newest score run of the year: when, by whom, on what; every unit's K."""
    year = access.get_year_for_scores_reader(request.user, pk)
    run = runs.latest_run(year)
    rows = []
    if run is not None:
        names = dict(Unit.objects.filter(district_id=year.district_id).values_list("code", "name"))
        lines = ScoreLine.objects.filter(run=run).only(
            "unit", "candidate", "category", "k", "document"
        )
        by_unit: dict[str, dict[str, Any]] = {}
        for line in lines.order_by("id"):
            entry = by_unit.setdefault(
                line.unit,
                {"code": line.unit, "name": names.get(line.unit, line.unit), "deputies": []},
            )
            if not line.candidate:
                entry["k"] = line.k
                entry["own"] = line.document
                entry["breakdown"] = selectors.unit_breakdown(line.document)
            elif line.category == "deputy":
                entry.setdefault("lines", []).append(line)
        for entry in by_unit.values():
            own = entry.get("own")
            if own is not None:
                entry["deputies"] = [selectors.candidate_breakdown(line, own)
                                     for line in entry.pop("lines", [])]  # fmt: skip
        rows = sorted(by_unit.values(), key=lambda r: (-(r.get("k") or 0), r["code"]))
    return render(
        request,
        "rankings/scores.html",
        {"year": year, "run": run, "rows": rows, "can_compute": request.user.is_office},
    )


@login_required
@require_POST
def recompute(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Computes the scores in a background job (sanhao.jobs): the page shows its progress
    and goes on to the scores; where jobs run inside the request, straight there."""
    from sanhao.jobs import services as jobs
    from sanhao.jobs.views import follow

    year = access.get_year_for_scheme_office(request.user, pk)
    category = request.POST.get("category", "")
    category = category if category in ranking.CATEGORIES else ""
    job = jobs.start(
        "recompute", actor=request.user, campaign=year, params={"category": category},
        label=_("Scores of %(year)s computed again") % {"year": year.year},
    )  # fmt: skip
    back = (reverse("rankings:ranking", args=[year.pk, category]) if category
            else reverse("rankings:scores", args=[year.pk]))  # fmt: skip
    return follow(request, job, back)


def _whatif_initial(run: Any, category: str) -> dict[str, str]:
    spec = tomllib.loads(run.scheme_version.source)["categories"][category]
    weights = spec.get("weights", {})
    return {
        **{f"weight_{c}": editor.shown(weights.get(c, "")) for c in "KPM"},
        "quota": editor.shown(spec.get("quota", "")),
        "threshold": editor.shown(spec.get("threshold", "")),
        "unit_cap": editor.shown(spec.get("unit_cap", 0)),
    }


def _ranking_context(request: AuthenticatedRequest, year: Any, category: str) -> dict[str, Any]:
    run = runs.latest_run(year)
    context: dict[str, Any] = {
        "year": year,
        "run": run,
        "category": category,
        "category_name": ranking.category_names()[category],
        "categories": ranking.category_names().items(),
        "is_office": request.user.is_office,
    }
    if run is not None:
        context |= ranking.ranking(run, category)
        if request.user.is_office:
            context["whatif_form"] = WhatIfForm(initial=_whatif_initial(run, category))
    return context


@login_required
def ranking_page(request: AuthenticatedRequest, pk: int, category: str) -> HttpResponse:
    """One category of the newest run: the table with its quota line, the statistics."""
    year = access.get_year_for_scores_reader(request.user, pk)
    ranking.check_category(category)
    return render(request, "rankings/ranking.html", _ranking_context(request, year, category))


@login_required
def candidate(request: AuthenticatedRequest, pk: int, category: str, candidate: str
              ) -> HttpResponse:  # fmt: skip
    """Why a candidate stands where they do: S and each of its parts, with the numbers."""
    year = access.get_year_for_scores_reader(request.user, pk)
    ranking.check_category(category)
    run = runs.latest_run(year)
    if run is None:
        raise Http404
    return render(
        request,
        "rankings/candidate.html",
        {"year": year, "run": run, "category": category,
         "category_name": ranking.category_names()[category],
         **ranking.candidate(run, category, candidate)},
    )  # fmt: skip


@login_required
@require_POST
def whatif(request: AuthenticatedRequest, pk: int, category: str) -> HttpResponse:
    """The newest run's facts scored with the rules of the form, beside the official
    ranking; nothing is stored. With htmx, the panel only; without, the whole page."""
    year = access.get_year_for_scheme_office(request.user, pk)
    ranking.check_category(category)
    context = _ranking_context(request, year, category)
    run = context["run"]
    if run is None:
        messages.error(request, _("No scores have been computed for this year yet."))
        return redirect("rankings:ranking", pk=year.pk, category=category)
    form = WhatIfForm(request.POST)
    problems: list[Problem] = []
    if form.is_valid():
        changes = dict(form.cleaned_data)
        if category != "deputy":
            changes["unit_cap"] = None
        try:
            part = ranking.whatif(run, category, changes)
        except ranking.WhatIfProblems as error:
            placed, problems = ranking.place_problems(error.problems, category)
            for name, found in placed.items():
                form.add_error(name if name in form.fields else None, found)
        else:
            context["whatif"] = ranking.compare(context["rows"], part, ranking.unit_names(run))
    context |= {"whatif_form": form, "whatif_problems": problems}
    if request.headers.get("HX-Request"):
        return render(request, "rankings/_whatif.html", context)
    return render(request, "rankings/ranking.html", context)
