from django.urls import path

from sanhao.awards import views

app_name = "awards"
Y = "years/<int:pk>/awards/"
urlpatterns = [
    path(Y, views.year_awards, name="year"),
    path(Y + "freeze/", views.freeze, name="freeze"),
    path(Y + "snapshots/<int:snapshot_pk>/", views.snapshot, name="snapshot"),
    path(Y + "snapshots/<int:snapshot_pk>/verify/", views.verify, name="verify"),
    path(
        Y + "snapshots/<int:snapshot_pk>/download/",
        views.snapshot_download,
        name="snapshot_download",
    ),
    path(Y + "snapshots/<int:snapshot_pk>/deliberate/", views.deliberate, name="deliberate"),
    path(Y + "deliberations/<int:deliberation_pk>/", views.deliberation, name="deliberation"),
    path(Y + "deliberations/<int:deliberation_pk>/publish/", views.publish, name="publish"),
    path(Y + "notices/<int:notice_pk>/", views.notice, name="notice"),
    path(Y + "notices/<int:notice_pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path(Y + "notices/<int:notice_pk>/decide/", views.decide, name="decide"),
    path(Y + "decisions/<int:decision_pk>/", views.decision, name="decision"),
    path(
        Y + "decisions/<int:decision_pk>/decision.<str:fmt>",
        views.decision_file,
        name="decision_file",
    ),
    path(Y + "incentives/", views.incentives, name="incentives"),
    path(Y + "awards/<int:award_pk>/events/", views.add_event, name="add_event"),
    path(Y + "events/<int:career_pk>/withdraw/", views.withdraw_event, name="withdraw_event"),
]
