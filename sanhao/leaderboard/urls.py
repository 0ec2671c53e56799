from django.urls import path

from sanhao.leaderboard import views

app_name = "leaderboard"
urlpatterns = [
    path("years/<int:pk>/leaderboard/", views.leaderboard, name="board"),
    path("leaderboard/<int:pk>/screen/", views.screen, name="screen"),
    path(
        "years/<int:pk>/units/<str:code>/report.<str:fmt>",
        views.unit_report,
        name="unit_report",
    ),
    path("years/<int:pk>/report.<str:fmt>", views.district_report, name="district_report"),
]
