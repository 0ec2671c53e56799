"""Locust users of the voting benchmark (started by bench/ballots_load.py, never alone).

Environment: BENCH_CODES (the prepared JSON), BENCH_SESSION (its session's name there),
BENCH_USERS and BENCH_PROCESSES (to give each user a block of codes of its own),
BENCH_OUT (a folder: each process writes its accepted receipts there when it stops),
BENCH_MODE ("vote", or "insert" for the ceiling: one POST that inserts one row).

A voter votes without pause, one code after another from its own block: GET the
session's page (its ticket), POST the code (the ballot page), POST the ballot (the
receipt). Each of the three is a request in locust's statistics, and the whole vote is
one more entry, "vote (3 requests)", timed from the GET to the receipt.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

TICKET = re.compile(rb'name="ticket" value="([^"]+)"')
RECEIPT = re.compile(rb'<code id="receipt">([^<]+)</code>')
MODE = os.environ.get("BENCH_MODE", "vote")
_data = json.loads(Path(os.environ["BENCH_CODES"]).read_text())
SESSION = _data["sessions"][os.environ["BENCH_SESSION"]]
USERS = int(os.environ["BENCH_USERS"])
PROCESSES = max(1, int(os.environ.get("BENCH_PROCESSES", "1")))
OUT = Path(os.environ["BENCH_OUT"])
_state: dict[str, Any] = {"next": 0, "receipts": [], "exhausted": 0}


def _worker_index(environment: Any) -> int:
    return max(0, int(getattr(environment.runner, "worker_index", 0) or 0))


@events.test_stop.add_listener
def _write_receipts(environment: Any, **_kw: Any) -> None:
    if MODE != "vote":
        return
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"receipts-{os.getpid()}.json"
    (OUT / name).write_text(
        json.dumps({"receipts": _state["receipts"], "exhausted": _state["exhausted"]})
    )


class Voter(FastHttpUser):
    wait_time = constant(0)
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self) -> None:
        codes: list[str] = SESSION["codes"]
        # This process's share of the codes, then one block of it per user of the process.
        share = codes[_worker_index(self.environment) :: PROCESSES]
        per_user = len(codes) // USERS
        k = _state["next"]
        _state["next"] += 1
        self.codes = share[k * per_user : (k + 1) * per_user]
        self.session_pk = SESSION["pk"]
        self.grades = {f"g-{c}": g for c, g in SESSION["ballot"].items()}

    @task
    def vote(self) -> None:
        if MODE == "insert":
            self.insert()
            return
        if not self.codes:
            _state["exhausted"] += 1
            self.stop()
            return
        code = self.codes.pop()
        started = time.perf_counter()
        page_url = f"/vote/{self.session_pk}/"
        with self.client.get(page_url, name="GET session page", catch_response=True) as page:
            found = TICKET.search(page.content or b"")
            if page.status_code != 200 or not found:
                page.failure(f"session page: {page.status_code}")
                return
            ticket = found.group(1).decode()
        with self.client.post(
            page_url, data={"ticket": ticket, "code": code}, name="POST code", catch_response=True
        ) as opened:
            if opened.status_code != 200 or b'id="ballot-form"' not in (opened.content or b""):
                opened.failure(f"code: {opened.status_code}")
                return
        with self.client.post(
            "/vote/ballot/",
            data={"ticket": ticket, "code": code, **self.grades},
            name="POST ballot",
            catch_response=True,
        ) as done:
            receipt = RECEIPT.search(done.content or b"")
            if done.status_code != 200 or not receipt:
                done.failure(f"ballot: {done.status_code}")
                return
            _state["receipts"].append(receipt.group(1).decode())
        self.environment.events.request.fire(
            request_type="VOTE",
            name="vote (3 requests)",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None,
            context={},
        )

    def insert(self) -> None:
        with self.client.post(
            "/bench/insert/", data={"s": self.session_pk}, name="POST insert", catch_response=True
        ) as done:
            if done.status_code != 200:
                done.failure(f"insert: {done.status_code}")
