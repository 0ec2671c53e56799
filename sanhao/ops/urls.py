from django.urls import path

from sanhao.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("ops/", views.status, name="status"),
    path("ops/verify-audit/", views.verify_audit, name="verify_audit"),
]
