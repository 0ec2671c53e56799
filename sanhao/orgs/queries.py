"""Hand-written reads for the busiest office pages.

The unit list is the page every office clerk opens first, and at 50 concurrent users
the ORM's compilation of its annotated query (a count and the current leader of each
unit) cost more than running it: about 1.3 ms of Python against 0.2 ms in the database.
Written once in plain SQL that PostgreSQL and SQLite both run, it returns exactly the
rows shown; so are a unit page's two tables of posts. `tests/test_rows_fetched.py`
checks them against the same reads through the ORM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import ngettext

from sanhao.orgs.models import Person, Post, Role, Unit


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    size: int
    leader_name: str | None
    leader_title: str | None

    def get_kind_display(self) -> str:
        return str(Unit.Kind(self.kind).label)

    @property
    def size_text(self) -> str:
        return ngettext("%(n)s person", "%(n)s people", self.size) % {"n": self.size}

    @property
    def team_text(self) -> str:
        return ngettext("%(n)s team member", "%(n)s team members", self.size) % {"n": self.size}


def _sql() -> str:
    unit, post, person = Unit._meta.db_table, Post._meta.db_table, Person._meta.db_table
    return f"""
        SELECT u.code, u.name, u.kind,
               (SELECT COUNT(*) FROM {post} p WHERE p.unit_id = u.id AND p."end" IS NULL),
               l.name, l.title
        FROM {unit} u
        LEFT JOIN (
            SELECT p.unit_id, pe.name, p.title FROM {post} p
            JOIN {person} pe ON pe.id = p.person_id
            WHERE p.role = %s AND p."end" IS NULL
        ) l ON l.unit_id = u.id
        WHERE u.id IN (SELECT id FROM ({{scope}}) scope)
        ORDER BY u."order", u.code
        LIMIT %s OFFSET %s
    """  # one current leader per unit: the database's unique constraint


def unit_rows(
    scope_ids_sql: tuple[str, tuple[Any, ...]], *, offset: int, limit: int
) -> list[UnitRow]:
    """The units of `scope` (the SQL of a queryset of unit ids) from `offset`, at most `limit`."""
    scope_sql, scope_params = scope_ids_sql
    sql = _sql().replace("{scope}", scope_sql)
    with connection.cursor() as cursor:
        params: list[Any] = [Role.LEADER.value, *scope_params, limit, offset]
        cursor.execute(sql, params)
        return [UnitRow(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class PostRow:
    """A post as a unit page's tables show it."""

    pk: int
    person_id: int
    person_name: str
    role: str
    title: str
    start: dt.date
    end: dt.date | None

    @property
    def is_current(self) -> bool:
        return self.end is None

    @property
    def start_text(self) -> str:
        return self.start.isoformat()  # what |date:"Y-m-d" shows, without its machinery

    @property
    def end_text(self) -> str:
        return self.end.isoformat() if self.end else ""

    def get_role_display(self) -> str:
        return str(Role(self.role).label)


def _date(value: Any) -> Any:
    # SQLite hands dates back as text outside the ORM.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _posts_sql(where: str, order: str) -> str:
    post, person = Post._meta.db_table, Person._meta.db_table
    return f"""
        SELECT p.id, p.person_id, pe.name, p.role, p.title, p.start, p."end"
        FROM {post} p JOIN {person} pe ON pe.id = p.person_id
        WHERE p.unit_id = %s AND {where}
        ORDER BY {order}
    """


def _post_rows(sql: str, params: list[Any]) -> list[PostRow]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            PostRow(pk, person, name, role, title, _date(start), _date(end))
            for pk, person, name, role, title, start, end in cursor.fetchall()
        ]


def current_posts(unit_id: int) -> list[PostRow]:
    """The unit's current team, in display order."""
    sql = _posts_sql('p."end" IS NULL', 'p."order", p.start DESC, p.id')
    return _post_rows(sql, [unit_id])


def past_post_count(unit_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT COUNT(*) FROM {Post._meta.db_table} WHERE unit_id = %s AND "end" IS NOT NULL',
            [unit_id],
        )
        return int(cursor.fetchone()[0])


def past_posts(unit_id: int, *, offset: int, limit: int) -> list[PostRow]:
    """One page of the unit's past posts, the most recently ended first."""
    sql = (
        _posts_sql('p."end" IS NOT NULL', 'p."end" DESC, p.start DESC, p.id')
        + " LIMIT %s OFFSET %s"
    )
    return _post_rows(sql, [unit_id, limit, offset])
