from django.urls import path

from sanhao.workdays import views

app_name = "workdays"
urlpatterns = [
    path("workdays/", views.index, name="index"),
    path("workdays/<int:year>/", views.year_detail, name="year"),
]
