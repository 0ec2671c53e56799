"""The job queue's check for /healthz and the office's status page (sanhao.ops.health)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sanhao.jobs import services
from sanhao.ops.health import check


@check("queue")
def queue() -> dict[str, Any]:
    """Healthy while a worker is alive, or nothing has waited for one longer than
    JOB_STALE_SECONDS. Counts only: /healthz is public."""
    state = services.queue_state()
    waited = (
        round((timezone.now() - state.oldest_queued).total_seconds())
        if state.oldest_queued is not None
        else 0
    )
    return {"ok": state.ok, "workers": len(state.workers), "queued": state.queued,
            "running": state.running, "oldest_wait_s": waited}  # fmt: skip
