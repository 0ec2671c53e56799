"""The kinds of job: each handler does one piece of long work in stages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanhao.jobs import services
from sanhao.jobs.models import Job
from sanhao.jobs.services import Outcome, Progress, handler
from sanhao.lib.errors import DomainError


def _selfcheck_steps(params: dict[str, Any]) -> int:
    return max(1, min(600, int(params.get("steps", 5))))


@handler("selfcheck", steps=_selfcheck_steps)
def selfcheck(job: Job, progress: Progress) -> Outcome:
    """The queue's self-check (队列自检): a worker takes the job and moves its progress bar
    through its steps, writing nothing else. It tells IT staff that a worker runs and
    reaches the database every application server reads."""
    import os
    import socket
    import time

    from django.utils import timezone

    pause = max(0, min(5000, int(job.params.get("pause_ms", 1000)))) / 1000
    waited = ((job.started or timezone.now()) - job.created).total_seconds()
    for n in range(1, progress.total + 1):
        time.sleep(pause)
        progress.step(_("Step %(n)s of %(total)s") % {"n": n, "total": progress.total})
    return Outcome(
        message=_("The queue works: worker %(host)s:%(pid)s took the job after %(waited)s s "
                  "in the queue.") % {"host": socket.gethostname(), "pid": os.getpid(),
                                      "waited": f"{waited:.1f}"},
    )  # fmt: skip


@handler("recompute", steps=5)
def recompute(job: Job, progress: Progress) -> Outcome:
    """The year's scores computed again from the database (rankings.runs.compute_scores)."""
    from sanhao.rankings import runs

    assert job.campaign is not None
    run = runs.compute_scores(job.campaign, actor=job.created_by, progress=progress.step)
    category = job.params.get("category", "")
    url = (reverse("rankings:ranking", args=[job.campaign_id, category]) if category
           else reverse("rankings:scores", args=[job.campaign_id]))  # fmt: skip
    return Outcome(
        message=_("Scores computed (run %(n)s, input hash %(hash)s).")
        % {"n": run.pk, "hash": run.input_hash[:12]},
        url=url,
    )


@handler("district_report", steps=3)
def district_report(job: Job, progress: Progress) -> Outcome:
    """The district's year report as Word or Excel (leaderboard.reports)."""
    from sanhao.leaderboard import reports

    assert job.campaign is not None
    progress.step(_("Reading the year's results"))
    report = reports.district_report(job.campaign)
    progress.step(_("Writing the document"))
    if job.params.get("fmt") == "docx":
        content, name = reports.to_docx(report), f"{report.filename}.docx"
        kind = reports.DOCX_TYPE
    else:
        content, name = reports.to_xlsx(report), f"{report.filename}.xlsx"
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Outcome(message=_("The report is ready."), content=content, filename=name,
                   content_type=kind)  # fmt: skip


# Imports: a large Excel file is imported by the worker (IMPORT_JOB_BYTES). Each importer
# is the page's own: it checks every row, then saves every row or none; a refused import
# ends the job with its problems, shown on the job's page as the import page shows them.
PROBLEMS_SHOWN = 200


@handler("import", steps=3)
def import_workbook(job: Job, progress: Progress) -> Outcome:
    importers = {"roster": _import_roster, "actuals": _import_actuals, "records": _import_records}
    importer = importers.get(job.params.get("importer", ""))
    if importer is None:
        raise DomainError(_("Unknown kind of import."))
    saved = Job.objects.get(pk=job.pk).report
    if saved.get("saved"):  # saved by an attempt whose worker died before it could finish
        return Outcome(message=saved["message"], url=saved["url"], report=saved)
    progress.step(_("Reading the uploaded workbook"))
    data = services.upload_of(job)
    progress.step(_("Checking every row, then saving"))
    # The rows and the mark that they are saved are one commit: an attempt after a killed
    # worker finds either nothing saved, or the mark — never the records twice.
    with transaction.atomic():
        outcome = importer(job, data)
        if outcome.report is not None and outcome.report.get("ok"):
            outcome.report |= {"saved": True, "message": outcome.message, "url": outcome.url}
            Job.objects.filter(pk=job.pk).update(report=outcome.report)
    return outcome


def _refused(problems: list[Any], again: str, extra: dict[str, Any] | None = None) -> Outcome:
    """A refused import: its problems, and `again` the page to upload the file again."""
    count = len(problems)
    return Outcome(
        message=ngettext("%(n)s problem found; nothing was saved.",
                         "%(n)s problems found; nothing was saved.", count) % {"n": count},
        report={"ok": False, "count": count,
                "problems": [str(p) for p in problems[:PROBLEMS_SHOWN]], "again": again,
                **(extra or {})},
    )  # fmt: skip


def _unit(job: Job) -> Any:
    """The one unit the import may write (a liaison's own), named when the job started."""
    from sanhao.orgs.models import Unit

    code = job.params.get("unit", "")
    if not code:
        return None
    assert job.campaign is not None
    unit = Unit.objects.filter(district_id=job.campaign.district_id, code=code).first()
    if unit is None:
        raise DomainError(_("The unit %(code)s is no longer in the roster.") % {"code": code})
    return unit


def _query(unit: Any, **more: Any) -> str:
    return urlencode({**({"unit": unit.code} if unit is not None else {}), **more})


def _import_roster(job: Job, data: bytes) -> Outcome:
    from sanhao.orgs.roster import import_roster_upload

    report, kept = import_roster_upload(
        data, district_name=job.params.get("district", ""), actor=job.created_by
    )
    if not report.ok:
        url = reverse("orgs:roster_problems", args=[kept.pk]) if kept else ""
        return _refused(report.problems, reverse("orgs:roster_import"), {"problems_url": url})
    counts = {sheet: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
              for sheet, c in report.counts.items()}  # fmt: skip
    message = (_("Imported.") if report.changed
               else _("Nothing changed: the roster already matches this file."))  # fmt: skip
    return Outcome(message=message, report={"ok": True, "counts": counts})


def _import_actuals(job: Job, data: bytes) -> Outcome:
    from sanhao.targets import imports
    from sanhao.targets.excel_views import actuals_done_url

    assert job.campaign is not None
    unit, month = _unit(job), int(job.params["month"])
    report = imports.import_actuals(
        data, year=job.campaign, month=month, actor=job.created_by,
        reason=job.params.get("reason", ""), own_unit=unit,
    )  # fmt: skip
    if not report.ok:
        again = reverse("targets:actuals_import", args=[job.campaign.pk])
        return _refused(report.problems, f"{again}?{_query(unit, month=month)}")
    return Outcome(message=imports.outcome_message(report), report={"ok": True},
                   url=actuals_done_url(job.campaign, unit, month))  # fmt: skip


def _import_records(job: Job, data: bytes) -> Outcome:
    from sanhao.records import imports
    from sanhao.records.excel_views import records_done_url

    assert job.campaign is not None
    unit = _unit(job)
    report = imports.import_records(data, year=job.campaign, actor=job.created_by, own_unit=unit)
    if not report.ok:
        again = reverse("records:records_import", args=[job.campaign.pk])
        return _refused(report.problems, f"{again}?{_query(unit)}")
    return Outcome(message=imports.outcome_message(report), report={"ok": True},
                   url=records_done_url(job.campaign, unit))  # fmt: skip
