"""The run's check for voter codes in the log can fail: it finds a planted code."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from sanhao.ballots import codes
from sanhao.ballots.tests.conftest import make_session
from sanhao.lib.logs import JsonFormatter
from sanhao.lib.logscan import find_tokens
from sanhao.tests import leakcheck

CODE = "K7M2PQX4RT"


def _log(path: Path, *messages: str, test: str = "sanhao/x.py::test_y") -> None:
    with path.open("w", encoding="utf-8") as out:
        for message in messages:
            record = logging.LogRecord("sanhao.x", logging.INFO, __file__, 1, message, (), None)
            record.test = test
            out.write(JsonFormatter().format(record) + "\n")


@pytest.mark.parametrize(
    "written",
    [CODE, CODE.lower(), codes.shown(CODE), codes.shown(CODE).lower(), "K7M2P QX4RT",
     f"/vote/{CODE}/", f"code={CODE}&x", f"ABC{CODE}XYZ"],
)  # fmt: skip
def test_it_finds_a_planted_code_however_it_was_written(tmp_path: Path, written: str) -> None:
    log = tmp_path / "log.jsonl"
    _log(log, "nothing here", f"cast with {written} done")
    (leak,) = find_tokens(log, [CODE], alphabet=codes.ALPHABET)
    assert (leak.token, leak.line, leak.test, leak.logger) == (
        CODE,
        2,
        "sanhao/x.py::test_y",
        "sanhao.x",
    )


def test_it_finds_a_planted_receipt_and_nothing_in_a_clean_log(tmp_path: Path) -> None:
    receipt = "ABCD2345EFGH6789"
    log = tmp_path / "log.jsonl"
    _log(log, "GET /vote/ 200", "K7M2PQX4R is one short", f"receipt {codes.shown(receipt)}")
    assert [leak.line for leak in find_tokens(log, [CODE, receipt], alphabet=codes.ALPHABET)] == [3]
    _log(log, "GET /vote/<int:session_pk>/ 200 3.1ms", "K7M2P-QX4R7")
    assert find_tokens(log, [CODE, receipt], alphabet=codes.ALPHABET) == []


checking = pytest.mark.skipif(
    os.environ.get("SANHAO_LOG_CHECK", "1") == "0", reason="the log check is off"
)


@checking
def test_every_code_issued_in_a_test_is_collected_with_its_test(world: Any, request: Any) -> None:
    opened = make_session(world, codes=3, open_it=False)
    assert all(leakcheck.ISSUED[code] == request.node.nodeid for code in opened.codes)


@checking
def test_a_record_logged_now_reaches_the_runs_log_with_this_test(request: Any) -> None:
    logging.getLogger("sanhao.ops.tests").debug("marker %s", request.node.nodeid)
    path = leakcheck._STATE["path"]
    leakcheck._STATE["handler"].flush()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    mine = [line for line in lines if line["logger"] == "sanhao.ops.tests"]
    assert mine and mine[-1]["test"] == request.node.nodeid and mine[-1]["level"] == "DEBUG"


PLANTED = os.environ.get("SANHAO_PLANT_LEAK", "")


@checking
@pytest.mark.skipif(bool(PLANTED), reason="the outer run")
def test_a_run_that_logs_an_issued_code_fails_and_names_the_test(tmp_path: Path) -> None:
    """A pytest of its own runs the planted test below: the run must fail on the log."""
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "SANHAO_PLANT_LEAK": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider",
         "-k", "planted_leak"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = done.stdout
    assert "1 passed" in out, out[-3000:] + done.stderr[-2000:]
    assert done.returncode == 1, out[-3000:]
    assert "LOG LEAK" in out and "test_it_logs_a_planted_leak" in out and CODE not in out
    kept = [line.rsplit(" ", 1)[-1] for line in out.splitlines() if "the log is kept in" in line]
    assert kept and Path(kept[0]).exists()
    Path(kept[0]).unlink()


@pytest.mark.skipif(not PLANTED, reason="run by the test above in a pytest of its own")
def test_it_logs_a_planted_leak() -> None:
    leakcheck._collect([CODE])
    logging.getLogger("sanhao.planted").info("a careless line: %s", codes.shown(CODE))
