"""The background worker: `manage.py run_worker` (systemd: sanhao-worker.service).

A loop over django-tasks-db's worker in batch mode: it runs every task that is ready,
then queues again the jobs of workers that died (services.requeue_stale), tells the
status page it is alive, and sleeps. SIGTERM (systemctl stop) lets a running job finish;
a second SIGTERM, or a kill, leaves the job to the next worker's loop.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from sanhao.jobs import services


class Command(BaseCommand):
    help = "Run background jobs until stopped (or, with --once, until none is left)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks at the queue when it is empty")  # fmt: skip
        parser.add_argument("--once", action="store_true",
                            help="run what is queued (after requeueing stale jobs) and stop")  # fmt: skip

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        def say(text: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(text)

        services.HEARTBEAT_THREAD = True
        worker_id = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        self.running = True
        self.busy = False
        jobs_run = 0

        def stop(signum: int, frame: Any) -> None:
            if not self.running or not self.busy:
                raise SystemExit(0)
            say("stopping after the current job (again to stop at once)")
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        say(f"worker {worker_id} started")
        try:
            while self.running:
                close_old_connections()
                services.beat(worker_id, host=socket.gethostname(), pid=os.getpid(),
                              jobs_run=jobs_run)  # fmt: skip
                services.requeue_stale()
                worker = Worker(
                    queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=1, worker_id=worker_id[:64],
                    excluded_queue_names=[],
                )  # fmt: skip
                self.busy = True
                before = worker._run_tasks
                worker.run()
                ran = worker._run_tasks - before
                self.busy = False
                jobs_run += ran
                if ran:
                    continue  # look again at once: more may be waiting
                if once:
                    break
                time.sleep(interval)
        finally:
            services.retire(worker_id)
            say(f"worker {worker_id} stopped after {jobs_run} jobs")
