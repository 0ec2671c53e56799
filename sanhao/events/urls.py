from django.urls import path

from sanhao.events import exports, views

app_name = "events"
urlpatterns = [
    path("years/<int:pk>/events/", views.event_list, name="list"),
    path("years/<int:pk>/events/<int:event_pk>/withdraw/", views.withdraw, name="withdraw"),
    path("years/<int:pk>/events.xlsx", exports.event_list_export, name="list_export"),
]
