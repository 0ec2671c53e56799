from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from sanhao.campaigns.views import home


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: with hashed static names the manifest exists only after
    # collectstatic, which must not be needed to import the URLs (manage.py check).
    return HttpResponsePermanentRedirect(static("sanhao/favicon.svg"))


urlpatterns = [
    path("", home, name="home"),
    # First: the voters' pages take the most requests, and Django tries the patterns in
    # order (every app's, at the same prefix) before it finds one (docs/performance.md).
    path("", include("sanhao.ballots.urls")),
    path("accounts/", include("sanhao.accounts.urls")),
    path("", include("sanhao.orgs.urls")),
    path("", include("sanhao.campaigns.urls")),
    path("", include("sanhao.rankings.urls")),
    path("", include("sanhao.targets.urls")),
    path("", include("sanhao.events.urls")),
    path("", include("sanhao.checks.urls")),
    path("", include("sanhao.projects.urls")),
    path("", include("sanhao.records.urls")),
    path("", include("sanhao.deviations.urls")),
    path("", include("sanhao.notices.urls")),
    path("", include("sanhao.panels.urls")),
    path("", include("sanhao.workdays.urls")),
    path("", include("sanhao.awards.urls")),
    path("", include("sanhao.awards.urls_public")),
    path("", include("sanhao.leaderboard.urls")),
    path("", include("sanhao.jobs.urls")),
    path("", include("sanhao.ops.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", favicon),
]
