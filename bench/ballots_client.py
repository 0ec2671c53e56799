"""Voters that retry: the client of the voting benchmark's fault runs (bench/ballots_load.py).

Threads with `http.client`, each with its own codes, voting without pause until told to
stop. A vote is GET the session page → POST the code → POST the ballot; when any step
fails (connection refused or reset, a timeout, a 5xx while the server or the database is
down) the voter waits a little and votes again with the **same code**, from the GET,
until it is answered: "accepted" (a receipt) or "already used" (an earlier attempt of its
own was stored, its answer lost). A code answered "already used" at its first attempt is
recorded apart: that would mean a code counted for someone else.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

TICKET = re.compile(rb'name="ticket" value="([^"]+)"')
RECEIPT = re.compile(rb'<code id="receipt">([^<]+)</code>')
USED = "已经使用".encode()


class Retry(Exception):
    pass


@dataclass
class Answers:
    accepted_codes: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    used_codes: list[str] = field(default_factory=list)  # "already used" after a failed try
    used_first_try: list[str] = field(default_factory=list)  # must stay empty
    unanswered: list[str] = field(default_factory=list)
    retries: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds per answered vote
    answered_at: list[float] = field(default_factory=list)  # monotonic time of each answer
    failed_at: list[float] = field(default_factory=list)  # monotonic time of each failure
    lock: threading.Lock = field(default_factory=threading.Lock)


class Voter(threading.Thread):
    def __init__(
        self,
        port: int,
        session_pk: int,
        codes: list[str],
        ballot: dict[str, str],
        answers: Answers,
        stop_at: float,
        give_up_at: float,
    ) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.page = f"/vote/{session_pk}/"
        self.codes = codes
        self.grades = {f"g-{k}": v for k, v in ballot.items()}
        self.answers = answers
        self.stop_at = stop_at
        self.give_up_at = give_up_at
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def _request(self, method: str, path: str, data: dict[str, str] | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            raise Retry(str(error)) from None
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, content

    def vote_once(self, code: str) -> tuple[str, str]:
        status, content = self._request("GET", self.page)
        found = TICKET.search(content)
        if status != 200 or not found:
            raise Retry(f"page {status}")
        ticket = found.group(1).decode()
        status, content = self._request("POST", self.page, {"ticket": ticket, "code": code})
        if status == 400 and USED in content:
            return "used", ""
        if status != 200 or b'id="ballot-form"' not in content:
            raise Retry(f"code {status}")
        status, content = self._request(
            "POST", "/vote/ballot/", {"ticket": ticket, "code": code, **self.grades}
        )
        if status == 400 and USED in content:
            return "used", ""
        receipt = RECEIPT.search(content)
        if status != 200 or not receipt:
            raise Retry(f"ballot {status}")
        return "accepted", receipt.group(1).decode()

    def run(self) -> None:
        a = self.answers
        while self.codes and time.monotonic() < self.stop_at:
            code = self.codes.pop()
            started = time.monotonic()
            tries = 0
            outcome = ""
            while time.monotonic() < self.give_up_at:
                tries += 1
                try:
                    outcome, receipt = self.vote_once(code)
                    break
                except Retry:
                    with a.lock:
                        a.retries += 1
                        a.failed_at.append(time.monotonic())
                    time.sleep(0.2)
            now = time.monotonic()
            with a.lock:
                if outcome == "accepted":
                    a.accepted_codes.append(code)
                    a.receipts.append(receipt)
                elif outcome == "used" and tries > 1:
                    a.used_codes.append(code)
                elif outcome == "used":
                    a.used_first_try.append(code)
                else:
                    a.unanswered.append(code)
                if outcome:
                    a.latencies.append(now - started)
                    a.answered_at.append(now)
        self.conn.close()


def run_voters(
    port: int,
    session_pk: int,
    codes: list[str],
    ballot: dict[str, str],
    *,
    users: int,
    seconds: float,
    grace: float = 30.0,
) -> tuple[Answers, float]:
    """`users` threads vote for `seconds`, then finish the code in hand (giving up after
    `grace` more seconds). Returns the answers and the start time (monotonic)."""
    answers = Answers()
    started = time.monotonic()
    per = len(codes) // users
    voters = [
        Voter(
            port,
            session_pk,
            codes[k * per : (k + 1) * per],
            ballot,
            answers,
            started + seconds,
            started + seconds + grace,
        )
        for k in range(users)
    ]
    for v in voters:
        v.start()
    return answers, started


def wait_voters(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if isinstance(thread, Voter):
            thread.join(max(0.0, deadline - time.monotonic()))
