"""Finding secrets in a log file: the test run's check that no voter code was logged.

A token (a voter code, a receipt) counts as found in a line however it was written there:
in any case, whole or split by dashes or spaces as a slip prints it (`K7M2P-QX4RT`), and
inside a longer run of letters (`/vote/K7M2PQX4RT/`). Only runs of the tokens' own
alphabet are looked at, so a line costs a few set lookups.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Leak:
    token: str
    line: int  # 1-based line number in the log file
    test: str  # the test that logged it (the line's "test" field), "" outside a test
    logger: str


def _runs(alphabet: str) -> re.Pattern[str]:
    chars = re.escape("".join(sorted(set(alphabet.upper()))))
    return re.compile(rf"[{chars}]+(?:[-\s][{chars}]+)*")


def find_tokens(path: Path, tokens: Iterable[str], *, alphabet: str) -> list[Leak]:
    """Every occurrence of one of `tokens` in the log file at `path` (JSON lines, or text)."""
    wanted = {token.upper() for token in tokens}
    if not wanted or not path.exists():
        return []
    lengths = sorted({len(token) for token in wanted})
    shortest = lengths[0]
    runs = _runs(alphabet)
    separators = re.compile(r"[-\s]")
    leaks: list[Leak] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            found = set()
            for run in runs.finditer(line.upper()):
                text = separators.sub("", run.group())
                if len(text) < shortest:
                    continue
                for size in lengths:
                    for start in range(len(text) - size + 1):
                        if text[start : start + size] in wanted:
                            found.add(text[start : start + size])
            for token in sorted(found):
                test, logger = _where(line)
                leaks.append(Leak(token, number, test, logger))
    return leaks


def _where(line: str) -> tuple[str, str]:
    try:
        record = json.loads(line)
    except ValueError:
        return "", ""
    if not isinstance(record, dict):
        return "", ""
    return str(record.get("test", "")), str(record.get("logger", ""))
