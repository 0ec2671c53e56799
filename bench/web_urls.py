"""Sanhao's URLs and two bare pages behind the same middleware: the web benchmarks' floors.

`/bench/bare/` signs in like every office page (session, user, CSRF, CSP, language,
idle timeout) and returns a few bytes without touching the organisation model, so the
ratio of a real page to it shows what the page itself costs (bench/web.py).

`/bench/insert/` is the voting benchmark's ceiling (bench/ballots_load.py): a POST without
an account, exempt from the CSRF check and never cached like the voting pages, that
inserts one row (a receipt of a random digest, in the session the post names) in a
transaction of its own and returns a few bytes: the most one write per request can give
on this stack.
"""

import secrets

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sanhao.ballots.models import Receipt


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@never_cache
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        Receipt.objects.create(session_id=int(request.POST["s"]), digest=secrets.token_hex(32))
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/insert/", insert),
    path("", include("sanhao.urls")),
]
