from django.urls import path

from sanhao.panels import views

app_name = "panels"
urlpatterns = [
    path("years/<int:pk>/panels/", views.year_sessions, name="list"),
    path("years/<int:pk>/panels/new/", views.create_session, name="create"),
    path("panels/<int:session_pk>/", views.session_detail, name="session"),
    path("panels/<int:session_pk>/edit/", views.edit_session, name="edit"),
    path("panels/<int:session_pk>/progress/", views.progress, name="progress"),
    path("panels/<int:session_pk>/order/", views.reorder, name="reorder"),
    path("panels/<int:session_pk>/open/", views.open_session, name="open"),
    path("panels/<int:session_pk>/reporting/", views.set_reporting, name="reporting"),
    path("panels/<int:session_pk>/corrections/<int:version_pk>/", views.decide, name="decide"),
    path("panels/<int:session_pk>/close/", views.close_session, name="close"),
    path("panels/<int:session_pk>/results/", views.results, name="results"),
    path("panels/mine/", views.my_sessions, name="mine"),
    path("panels/<int:session_pk>/sheet/", views.sheet, name="sheet"),
    path("panels/<int:session_pk>/sheet/review/", views.review, name="review"),
    path("panels/<int:session_pk>/sheet/submit/", views.submit, name="submit"),
    path("panels/<int:session_pk>/sheet/correct/", views.correct, name="correct"),
]
