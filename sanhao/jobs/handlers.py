"""The kinds of job: each handler does one piece of long work in stages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from sanhao.jobs.models import Job
from sanhao.jobs.services import Outcome, Progress, handler


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
