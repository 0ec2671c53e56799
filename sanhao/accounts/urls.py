from django.urls import path

from sanhao.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_verify, name="login_verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("mine/", views.password_change, name="password_change"),
    path("mine/two-factor/", views.two_factor, name="two_factor"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/", views.user_detail, name="user_detail"),
    path("users/<int:user_pk>/reset/", views.user_reset, name="user_reset"),
    path("users/<int:user_pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path(
        "users/<int:user_pk>/two-factor-off/", views.user_two_factor_off, name="user_two_factor_off"
    ),
]
