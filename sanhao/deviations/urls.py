from django.urls import path

from sanhao.deviations import views

app_name = "deviations"
urlpatterns = [
    path("years/<int:pk>/deviations/", views.deviation_list, name="list"),
    path("years/<int:pk>/deviations/raise/", views.raise_deviation, name="raise"),
    path("years/<int:pk>/deviations/<int:deviation_pk>/", views.deviation_detail, name="detail"),
    path(
        "years/<int:pk>/deviations/<int:deviation_pk>/update/",
        views.update_deviation,
        name="update",
    ),
    path(
        "years/<int:pk>/deviations/<int:deviation_pk>/files/<int:update_pk>/",
        views.download,
        name="download",
    ),
]
