from django.urls import path  # noqa: F401

app_name = "admin_portal"

urlpatterns: list = []
