from django.urls import path

from sanhao.checks import exports, views

app_name = "checks"
urlpatterns = [
    path("years/<int:pk>/checks/", views.check_list, name="list"),
    path(
        "years/<int:pk>/checks/<int:check_pk>/shortfalls/",
        views.add_shortfall,
        name="add_shortfall",
    ),
    path(
        "years/<int:pk>/checks/<int:check_pk>/correct/",
        views.correct_spot_check,
        name="correct",
    ),
    path("years/<int:pk>/remedies/overdue/", views.overdue, name="overdue"),
    path(
        "years/<int:pk>/remedies/<int:remedy_pk>/update/", views.update_remedy, name="update_remedy"
    ),
    path("years/<int:pk>/checks.xlsx", exports.remedies_export, name="list_export"),
    path("years/<int:pk>/remedies/overdue.xlsx", exports.overdue_export, name="overdue_export"),
]
