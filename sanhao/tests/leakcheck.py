"""The test run's proof that no voter code reaches a log (hooks in sanhao/conftest.py).

At the start of the run every logger is opened down to DEBUG and every record goes, besides
wherever it went before, through the platform's JSON formatter into a file of this
process (`artifacts/test-logs-<pid>.jsonl`), each line naming the test that was running.
Every code `ballots.services.issue_codes` hands out in any test — through the service,
the office's pages or `seed_demo`, all of which call it through the module — and every
receipt `codes.new_receipt` makes is collected. At the end the file is searched for each
of them, whole, in any case and as the slips print them; one found fails the run, naming
the test that logged it. The file is removed after a clean run (kept with
SANHAO_KEEP_TEST_LOG=1, or when something was found).

Browser tests' live servers run in threads of this process: their records are caught
too. A test that starts pytest in a subprocess (test_exactly_once on a SQLite file) runs
this same check in that process, whose failure fails the parent test; other subprocesses
(`manage.py migrate`, `verify_audit` in test_audit_chain) issue no code and are not covered.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from sanhao.lib.logs import JsonFormatter, RedactPaths
from sanhao.lib.logscan import Leak, find_tokens

ISSUED: dict[str, str] = {}  # token → the test that was running when it was issued
RUNNING = {"test": ""}
_STATE: dict[str, Any] = {}


class _TimedFileHandler(logging.FileHandler):
    """Counts the records it writes and the time it takes (the check's cost, printed)."""

    records = 0
    seconds = 0.0

    def handle(self, record: logging.LogRecord) -> bool:
        started = time.perf_counter()
        try:
            return bool(super().handle(record))
        finally:
            self.records += 1
            self.seconds += time.perf_counter() - started


class _TestName(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.test = RUNNING["test"]
        return True


def _collect(tokens: list[str]) -> None:
    for token in tokens:
        ISSUED.setdefault(token, RUNNING["test"])


def _wrap_issuers() -> None:
    from sanhao.ballots import codes, services

    real_issue = services.issue_codes

    @functools.wraps(real_issue)
    def issue_codes(*args: Any, **kwargs: Any) -> Any:
        batch, plain = real_issue(*args, **kwargs)
        _collect(plain)
        return batch, plain

    real_receipt = codes.new_receipt

    @functools.wraps(real_receipt)
    def new_receipt() -> str:
        token = real_receipt()
        _collect([token])
        return token

    services.issue_codes = issue_codes
    codes.new_receipt = new_receipt


def _open_every_logger(handler: logging.Handler) -> None:
    """DEBUG and above from every logger reach `handler`; the handlers that were there see
    what they saw before (each keeps the level of the logger it hangs on)."""
    root = logging.getLogger()
    loggers = [root] + [
        item
        for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    for logger in loggers:
        for existing in logger.handlers:
            if existing.level == logging.NOTSET:
                existing.setLevel(logger.getEffectiveLevel())
    for logger in loggers:
        if logger.level > logging.DEBUG:
            logger.setLevel(logging.DEBUG)
        if logger is not root and not logger.propagate:
            logger.addHandler(handler)
            _STATE.setdefault("attached", []).append(logger)
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    _STATE.setdefault("attached", []).append(root)


def start() -> None:
    folder = Path(settings.BASE_DIR) / "artifacts"
    folder.mkdir(exist_ok=True)
    path = folder / f"test-logs-{os.getpid()}.jsonl"
    handler = _TimedFileHandler(path, mode="w", encoding="utf-8", delay=False)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactPaths())
    handler.addFilter(_TestName())
    handler.setLevel(logging.DEBUG)
    _open_every_logger(handler)
    _wrap_issuers()
    _STATE.update(path=path, handler=handler)


def begin_test(nodeid: str) -> None:
    RUNNING["test"] = nodeid


def end_test() -> None:
    RUNNING["test"] = ""


def finish() -> tuple[list[Leak], Path | None]:
    """The tokens found in the log (empty: none), and the log file's path."""
    path: Path | None = _STATE.get("path")
    handler: _TimedFileHandler | None = _STATE.get("handler")
    if path is None or handler is None:
        return [], None
    for logger in _STATE.get("attached", []):
        logger.removeHandler(handler)
    handler.close()
    from sanhao.ballots.codes import ALPHABET

    started = time.perf_counter()
    leaks = find_tokens(path, ISSUED, alphabet=ALPHABET)
    _STATE["cost"] = (
        f"{handler.records} records written in {handler.seconds:.2f} s, "
        f"searched in {time.perf_counter() - started:.2f} s"
    )
    if not leaks and not os.environ.get("SANHAO_KEEP_TEST_LOG"):
        path.unlink(missing_ok=True)
    return leaks, path


def describe(leak: Leak) -> str:
    issued_in = ISSUED.get(leak.token, "") or "(outside a test)"
    logged_in = leak.test or "(outside a test)"
    return (
        f"a voter code or receipt {leak.token[:4]}… (issued in {issued_in}) was logged by "
        f"{leak.logger or 'a logger'} in {logged_in} (log line {leak.line})"
    )
