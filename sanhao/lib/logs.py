"""Logs as one JSON object per line, and what keeps raw paths and query strings out of them.

`JsonFormatter` writes `time` (ISO 8601 with the zone), `level`, `logger`, `message`, the
request id of the request being served (if any), the whitelisted extra fields a call
passes (`extra={"route": …}`; nothing else a record carries, in particular never the
request object Django attaches) and an exception's traceback as one string (`exc`).

A voter code must never reach a log (docs/ballots.md): the voting pages keep codes out of
every URL, and `RedactPaths` makes sure of it for Django's own loggers, which would write
the raw path (django.request, django.security.csrf) or the whole request line with its
query string (django.server, the development server): they get the URL's route pattern
(`vote/<int:session_pk>/`) instead, or `(unmatched)` for a path no URL pattern takes.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import zoneinfo
from functools import lru_cache
from typing import Any

# The id of the request being served in this thread or task (set by the ops middleware).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Extra fields a record may carry into the JSON line: the request line's, Django's status
# code, and the test run's (the test that logged the record).
EXTRA_FIELDS = (
    "method",
    "route",
    "view",
    "status",
    "status_code",
    "duration_ms",
    "account",
    "test",
)
UNMATCHED = "(unmatched)"
REQUEST_LINE = re.compile(r"^[A-Z]{3,10} \S+( HTTP/[0-9.]+)?$")


@lru_cache(maxsize=1)
def _zone() -> dt.tzinfo:
    try:
        from django.conf import settings

        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
    except Exception:  # settings not configured yet, or an unknown zone
        return dt.UTC


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; only the fields named in `fields` beyond the fixed ones."""

    def __init__(self, *args: Any, fields: tuple[str, ...] = EXTRA_FIELDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = fields

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, tz=_zone())
        line: dict[str, Any] = {
            "time": when.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or request_id.get()
        if rid:
            line["request_id"] = str(rid)
        for field in self.fields:
            if field in record.__dict__:
                line[field] = _plain(record.__dict__[field])
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def route_of(request: Any) -> str:
    """The URL pattern that served `request` (`vote/<int:session_pk>/`), never its path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return "/" + str(match.route or "")


def route_of_path(path: str) -> str:
    """The URL pattern a path resolves to, for a log that has only the path."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path.split("?", 1)[0])
    except (Resolver404, ValueError):
        return UNMATCHED
    except Exception:  # a urlconf that cannot load must not break logging
        return UNMATCHED
    return "/" + str(match.route or "")


class RedactPaths(logging.Filter):
    """Replaces a raw path (or request line) in a record's arguments by its route pattern.

    Django's request loggers log `"%s: %s", reason, request.path` with the request in
    `record.request`; the development server logs `'"%s" %s %s', request_line, status,
    size`, whose request line holds the query string. Each such argument becomes the
    route pattern (the request line: its method and route pattern)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or not args:
            return True
        request = getattr(record, "request", None)
        raw = {getattr(request, "path", None), getattr(request, "path_info", None)}
        full = getattr(request, "get_full_path", None)
        if callable(full):
            raw.add(full())
        raw.discard(None)
        changed: list[object] = []
        for arg in args:
            if isinstance(arg, str) and arg in raw:
                changed.append(route_of(request))
            elif (
                isinstance(arg, str) and record.name == "django.server" and REQUEST_LINE.match(arg)
            ):
                changed.append(_request_line(arg))
            else:
                changed.append(arg)
        record.args = tuple(changed)
        return True


def _request_line(line: str) -> str:
    """`GET /vote/3/?x=1 HTTP/1.1` → `GET /vote/<int:session_pk>/`."""
    method, target = line.split(" ")[:2]
    return f"{method} {route_of_path(target)}"
