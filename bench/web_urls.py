"""Sanhao's URLs and a bare page behind the same middleware: the web benchmark's floor.

`/bench/bare/` signs in like every office page (session, user, CSRF, CSP, language,
idle timeout) and returns a few bytes without touching the organisation model, so the
ratio of a real page to it shows what the page itself costs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("sanhao.urls")),
]
