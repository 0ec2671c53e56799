from django.urls import path

from sanhao.records import excel_views, views

app_name = "records"
urlpatterns = [
    path("years/<int:pk>/records/", views.grid, name="grid"),
    path("years/<int:pk>/units/<slug:code>/records/", views.unit_records, name="unit_records"),
    path("years/<int:pk>/units/<slug:code>/records/attach/", views.attach, name="attach"),
    path(
        "years/<int:pk>/units/<slug:code>/records/files/<int:file_pk>/",
        views.download,
        name="download",
    ),
    path("years/<int:pk>/records/template/", excel_views.records_template, name="records_template"),
    path("years/<int:pk>/records/import/", excel_views.records_import, name="records_import"),
    path("years/<int:pk>/records/export/", excel_views.grid_export, name="grid_export"),
    path(
        "years/<int:pk>/units/<slug:code>/records/export/",
        excel_views.unit_records_export,
        name="unit_records_export",
    ),
]
