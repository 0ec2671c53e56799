from django.urls import path

from sanhao.orgs import exports, views

app_name = "orgs"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<slug:code>/", views.unit_detail, name="unit_detail"),
    path("units/<slug:code>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<slug:code>/posts/new/", views.post_create, name="post_create"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_pk>/", views.person_detail, name="person_detail"),
    path("people/<int:person_pk>/edit/", views.person_edit, name="person_edit"),
    path("posts/<int:post_pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_pk>/end/", views.post_end, name="post_end"),
    path("roster/", views.roster_import, name="roster_import"),
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
    path("roster/problems/<int:problems_pk>.xlsx", views.roster_problems, name="roster_problems"),
    path("units.xlsx", exports.unit_list_export, name="unit_list_export"),
    path("people.xlsx", exports.person_list_export, name="person_list_export"),
]
