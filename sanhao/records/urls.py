from django.urls import path

from sanhao.records import views

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
]
