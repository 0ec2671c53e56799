"""Hand-written SQL for the voting pages' hottest statements.

Every vote reads its code twice (when the code is typed, and again when the ballot is
submitted) and consumes it once. Through the ORM the read (the code, its group, its
session and the year's newest scheme version, in one query) cost about 1 ms of Python to
compile against a tenth of that in the database; at hundreds of votes a second that was a
fifth of the server's time (docs/performance.md). Written once in plain SQL that
PostgreSQL and SQLite both run; `tests/test_queries.py` checks them against the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sanhao.ballots.models import BallotSession, VoterCode, VoterGroup


@dataclass(frozen=True)
class CodeRow:
    """A code as the voting pages need it: its row, its group (None once sealed), its
    session (the fields the pages read, its rules fixed at opening among them)."""

    pk: int
    used: bool
    group: str | None
    group_name: str | None
    session: BallotSession


def _aware(value: Any) -> dt.datetime:
    """A timestamp as the ORM gives it: SQLite returns the stored text, without a zone."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _code_sql() -> str:
    code, group = VoterCode._meta.db_table, VoterGroup._meta.db_table
    session = BallotSession._meta.db_table
    return f"""
        SELECT c.id, c.used, g."group", g.name,
               s.id, s.year_id, s.title, s.unit_id, s.category, s.opens_at, s.closes_at,
               s.state, s.created, s.created_by_id, s.chain_head, s.rules
        FROM {code} c
        JOIN {session} s ON s.id = c.session_id
        LEFT JOIN {group} g ON g.id = c.group_id
        WHERE c.digest = %s AND c.withdrawn = %s
    """


def code_row(digest: str) -> CodeRow | None:
    """The code of this keyed hash, unless withdrawn; None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(_code_sql(), [digest, False])
        found = cursor.fetchone()
    if found is None:
        return None
    (pk, used, group, group_name, s_id, year_id, title, unit_id, category, opens_at,
     closes_at, state, created, created_by_id, chain_head, rules) = found  # fmt: skip
    session = BallotSession(
        id=s_id,
        year_id=year_id,
        title=title,
        unit_id=unit_id,
        category=category,
        opens_at=_aware(opens_at),
        closes_at=_aware(closes_at),
        state=state,
        created=_aware(created),
        created_by_id=created_by_id,
        chain_head=chain_head,
        rules=json.loads(rules) if isinstance(rules, str | bytes) else (rules or {}),
    )
    session._state.adding = False
    session._state.db = connection.alias
    return CodeRow(pk, bool(used), group, group_name, session)


def take_code(pk: int) -> bool:
    """Mark the code used if it is still unused, not withdrawn and not sealed (its group
    is cleared by the seal): one conditional UPDATE, True when it changed the row. Run it
    in the transaction that stores the ballot; the UPDATE holds the row's lock until then."""
    table = VoterCode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET used = %s "
            "WHERE id = %s AND used = %s AND withdrawn = %s AND group_id IS NOT NULL",
            [True, pk, False, False],
        )
        return cursor.rowcount == 1
