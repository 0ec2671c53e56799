from django.urls import URLPattern, path

from sanhao.panels import views

app_name = "panels"
urlpatterns: list[URLPattern] = []
