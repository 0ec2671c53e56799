from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from sanhao.campaigns.views import home

admin.site.site_header = "三好创争 · 管理后台"
admin.site.site_title = "三好创争"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("sanhao.accounts.urls")),
    path("", include("sanhao.orgs.urls")),
    path("", include("sanhao.campaigns.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("sanhao/favicon.svg"), permanent=True)),
]
