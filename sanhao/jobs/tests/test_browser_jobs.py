"""The progress bar in a real Chromium: the office starts a computation, the page waits
for the worker, moves on its own to the scores when the worker has run the job.

On SQLite the live server's thread and this test share one in-memory connection, so the
worker that runs here must not run while the server answers a poll: one sqlite3
connection used by two threads at once fails now and then (a 500 in CI). The page's
polls are held while the worker runs; htmx sends an element's next poll only after the
last has been answered, so a held poll means none is being answered."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from sanhao.tests.test_browser import SCREENSHOTS, browser, demo_site, sign_in

__all__ = ["browser", "demo_site"]
pytestmark = pytest.mark.browser


def test_the_page_follows_the_job_to_its_result(browser: Any, demo_site: str, settings) -> None:
    from sanhao.campaigns.models import CampaignYear
    from sanhao.jobs.models import Job, JobState

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}  # fmt: skip
    year = CampaignYear.objects.latest("year")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    held: list[Any] = []
    holding = False

    def poll(route: Any) -> None:
        if holding:
            held.append(route)
        else:
            route.continue_()

    page.route("**/progress/", poll)
    sign_in(page, demo_site, "office")
    page.goto(f"{demo_site}/years/{year.pk}/scores/")
    page.get_by_role("button", name="立即重新计分").click()
    page.wait_for_url(f"{demo_site}/jobs/*/")
    assert page.get_by_text("排队中").is_visible()
    assert page.get_by_text("正在等待后台任务进程").is_visible()
    page.screenshot(path=SCREENSHOTS / "job-queued-phone.png", full_page=True)

    # The worker comes up now, in this process (the live server's database), once the
    # page's next poll waits for it.
    holding = True
    while not held:
        page.wait_for_timeout(100)
    call_command("run_worker", "--once", verbosity=0)
    assert Job.objects.get().state == JobState.DONE
    holding = False
    for route in held:
        route.continue_()
    page.wait_for_url(f"{demo_site}/years/{year.pk}/scores/", timeout=15_000)
    assert "已完成计分" in page.get_by_role("status").first.inner_text()
    page.screenshot(path=SCREENSHOTS / "job-done-phone.png", full_page=True)
    assert errors == []
    context.close()
