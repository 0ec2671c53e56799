from django.urls import path

from sanhao.notices import views

app_name = "notices"
urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/read/", views.mark_read, name="read"),
    path("notices/sent/", views.sent, name="sent"),
]
