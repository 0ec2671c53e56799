from django.urls import path

from sanhao.projects import views

app_name = "projects"
urlpatterns = [
    path("years/<int:pk>/projects/", views.year_list, name="year_list"),
    path("years/<int:pk>/projects/ranking/", views.ranking, name="ranking"),
    path("years/<int:pk>/units/<slug:code>/projects/", views.unit_projects, name="unit_projects"),
    path("years/<int:pk>/projects/<int:project_pk>/", views.detail, name="detail"),
    path("years/<int:pk>/projects/<int:project_pk>/revise/", views.revise, name="revise"),
    path("years/<int:pk>/projects/<int:project_pk>/drop/", views.drop, name="drop"),
    path("years/<int:pk>/projects/<int:project_pk>/reinstate/", views.reinstate, name="reinstate"),
    path(
        "years/<int:pk>/projects/<int:project_pk>/milestones/",
        views.add_milestone,
        name="add_milestone",
    ),
    path(
        "years/<int:pk>/milestones/<int:milestone_pk>/update/",
        views.update_milestone,
        name="update_milestone",
    ),
    path("years/<int:pk>/projects/<int:project_pk>/grade/", views.grade, name="grade"),
    path("years/<int:pk>/projects/files/<int:evidence_pk>/", views.download, name="download"),
]
