"""One log line per request, timed, with an id the response carries back.

Logged on `sanhao.request` at INFO: the method, the URL's route pattern (never the raw path,
which could hold anything a visitor typed, nor the query string), the view's name, the
status, the duration in milliseconds, the request id and the account's id (never its
name). No address, no body, no header. The request id comes from the proxy's
`X-Request-ID` if it looks like one a proxy makes (16 to 64 hex digits or dashes: nginx's
`$request_id`, a UUID) and is made here otherwise; every record logged while the request
is served carries it (sanhao.lib.logs.request_id), and the response returns it in
`X-Request-ID`, with the duration in `Server-Timing`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sanhao.lib.logs import request_id, route_of

logger = logging.getLogger("sanhao.request")
SAFE_REQUEST_ID = re.compile(r"^[0-9a-fA-F-]{16,64}$")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def incoming_request_id(request: HttpRequest) -> str:
    """The proxy's id if it is a safe one (a voter code never is: it has letters past F)."""
    given = request.headers.get("X-Request-ID", "")
    return given if SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex


def account_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return int(user.pk)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = incoming_request_id(request)
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            ms = round((time.perf_counter() - started) * 1000, 1)
            response["X-Request-ID"] = rid
            response["Server-Timing"] = f"app;dur={ms}"
            match = request.resolver_match
            method = request.method if request.method in METHODS else "OTHER"
            route = route_of(request)
            logger.info(
                "%s %s %s %sms",
                method,
                route,
                response.status_code,
                ms,
                extra={
                    "request_id": rid,
                    "method": method,
                    "route": route,
                    "view": match.view_name if match is not None else "",
                    "status": response.status_code,
                    "duration_ms": ms,
                    "account": account_id(request),
                },
            )
            return response
        finally:
            request_id.reset(token)
