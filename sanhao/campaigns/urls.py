from django.urls import path

from sanhao.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/<int:pk>/advance/", views.advance, name="advance"),
    path("campaigns/open/", views.open_year, name="open_year"),
]
