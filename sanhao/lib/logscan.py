"""Finding secrets in a log file: the test run's check that no voter code was logged.

A token (a voter code, a receipt) counts as found in a line however it was written there:
in any case, whole or in groups split by dashes or spaces as a slip prints it
(`K7M2P-QX4RT`), and inside a longer run of letters (`/vote/K7M2PQX4RT/`). Only runs of
the tokens' own alphabet are looked at, by regular expressions over chunks of lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path


@dataclass(frozen=True)
class Leak:
    token: str
    line: int  # 1-based line number in the log file
    test: str  # the test that logged it (the line's "test" field), "" outside a test
    logger: str


def _pattern(alphabet: str, lengths: list[int]) -> re.Pattern[str]:
    """Runs of the alphabet, in groups of four or more (a slip prints a code in groups of
    five, a receipt in groups of four) joined by a dash or a space."""
    a = "[" + re.escape("".join(sorted(set(alphabet.upper())))) + "]"
    return re.compile(rf"{a}{{4,}}(?:[-\s]{a}{{4,}})*")


def find_tokens(
    path: Path, tokens: Iterable[str], *, alphabet: str, chunk_lines: int = 20000
) -> list[Leak]:
    """Every occurrence of one of `tokens` in the log file at `path` (JSON lines, or text).
    The file is read in chunks of lines; the regular expressions do the scanning."""
    wanted = {token.upper() for token in tokens}
    if not wanted or not path.exists():
        return []
    lengths = sorted({len(token) for token in wanted})
    pattern = _pattern(alphabet, lengths)
    shortest = lengths[0]
    separators = re.compile(r"[-\s]")
    leaks: list[Leak] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        first = 1
        while chunk := list(islice(lines, chunk_lines)):
            text = "".join(chunk).upper()
            hits: dict[tuple[int, str], None] = {}
            for match in pattern.finditer(text):
                run = separators.sub("", match.group())
                if len(run) < shortest:
                    continue
                for size in lengths:
                    for k in range(len(run) - size + 1):
                        if run[k : k + size] in wanted:
                            line = text.count("\n", 0, match.start())
                            hits[(line, run[k : k + size])] = None
            for line, token in sorted(hits):
                test, logger = _where(chunk[line])
                leaks.append(Leak(token, first + line, test, logger))
            first += len(chunk)
    return leaks


def _where(line: str) -> tuple[str, str]:
    try:
        record = json.loads(line)
    except ValueError:
        return "", ""
    if not isinstance(record, dict):
        return "", ""
    return str(record.get("test", "")), str(record.get("logger", ""))
