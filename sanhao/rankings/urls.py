from django.urls import path

from sanhao.rankings import exports, views

app_name = "rankings"
urlpatterns = [
    path("years/<int:pk>/scheme/", views.scheme, name="scheme"),
    path("years/<int:pk>/scheme/edit/", views.edit, name="scheme_edit"),
    path("years/<int:pk>/scheme/edit/<slug:section>/", views.edit_section, name="scheme_section"),
    path("years/<int:pk>/scheme/download/", views.download, name="scheme_download"),
    path("years/<int:pk>/scores/", views.scores, name="scores"),
    path("years/<int:pk>/scores/compute/", views.recompute, name="compute"),
    path("years/<int:pk>/ranking/<slug:category>/", views.ranking_page, name="ranking"),
    path("years/<int:pk>/ranking/<slug:category>/whatif/", views.whatif, name="whatif"),
    path(
        "years/<int:pk>/ranking/<slug:category>/<str:candidate>/",
        views.candidate,
        name="candidate",
    ),
    path(
        "years/<int:pk>/scheme/v<int:number>/download/",
        views.download_version,
        name="scheme_version_download",
    ),
    path("years/<int:pk>/scores.xlsx", exports.scores_export, name="scores_export"),
]
