from django.urls import path

from sanhao.targets import excel_views, views

app_name = "targets"
urlpatterns = [
    path("years/<int:pk>/figures/", views.district_figures, name="district_figures"),
    path("years/<int:pk>/figures/lock/", views.lock_month, name="lock_month"),
    path("years/<int:pk>/units/<slug:code>/figures/", views.unit_figures, name="unit_figures"),
    path("years/<int:pk>/units/<slug:code>/pledges/", views.unit_pledges, name="pledges"),
    path(
        "years/<int:pk>/units/<slug:code>/pledges/<int:pledge_pk>/",
        views.change_pledge,
        name="change_pledge",
    ),
    path("years/<int:pk>/posts/<int:post_pk>/oversight/", views.oversight, name="oversight"),
    path("years/<int:pk>/figures/template/", excel_views.actuals_template, name="actuals_template"),
    path("years/<int:pk>/figures/import/", excel_views.actuals_import, name="actuals_import"),
    path(
        "years/<int:pk>/figures/export/",
        excel_views.district_figures_export,
        name="district_figures_export",
    ),
    path(
        "years/<int:pk>/units/<slug:code>/figures/export/",
        excel_views.unit_figures_export,
        name="unit_figures_export",
    ),
]
