"""The one task of the queue: run a job (services.run)."""

from __future__ import annotations

from django_tasks import task

from sanhao.jobs import services


@task()
def run_job(job_id: str) -> str:
    return services.run(job_id)
