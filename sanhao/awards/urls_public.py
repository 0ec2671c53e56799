"""The public notice (no account) and the office's handling of its objections."""

from django.urls import path

from sanhao.awards import public, views_objections

app_name = "notice"
urlpatterns = [
    path("gongshi/", public.index, name="index"),
    path("gongshi/<int:pk>/", public.detail, name="detail"),
    path("gongshi/<int:pk>/objection/", public.objection, name="object"),
    path("years/<int:pk>/notice/<int:notice_pk>/objections/", views_objections.objection_list,
         name="objections"),
    path("years/<int:pk>/notice/<int:notice_pk>/objections/<int:objection_pk>/",
         views_objections.objection_detail, name="objection"),
    path("years/<int:pk>/notice/<int:notice_pk>/remove/", views_objections.remove,
         name="remove"),
]  # fmt: skip
