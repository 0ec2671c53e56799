from django.urls import path

from sanhao.jobs import views

app_name = "jobs"
urlpatterns = [
    path("jobs/", views.status, name="status"),
    path("jobs/selfcheck/", views.selfcheck, name="selfcheck"),
    path("jobs/<str:job_id>/", views.detail, name="detail"),
    path("jobs/<str:job_id>/progress/", views.progress, name="progress"),
    path("jobs/<str:job_id>/download/", views.download, name="download"),
    path("years/<int:pk>/report-job.<str:fmt>", views.district_report, name="district_report"),
]
