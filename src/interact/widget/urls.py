from django.urls import path

from . import views

app_name = "widget"

urlpatterns = [
    path("", views.demo_site, name="demo_site"),
]
