from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/reset/", views.password_reset_request, name="password_reset"),
    path("password/set/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="reset_confirm"),
    path("me/", views.my_account, name="my_account"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("seats/", views.seats, name="seats"),
    path("access-owner/", views.transfer_owner, name="transfer_owner"),
]
