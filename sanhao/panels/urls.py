from django.urls import URLPattern

app_name = "panels"
urlpatterns: list[URLPattern] = []
