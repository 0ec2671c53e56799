from django.urls import URLPattern, path

from sanhao.ballots import views

app_name = "ballots"
urlpatterns: list[URLPattern] = []
