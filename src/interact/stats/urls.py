"""Portal routes of the statistics dashboard (STA-1..3), mounted under ``portal/stats/``."""

from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("messages/", views.dashboard, {"tab": "messages"}, name="messages"),
    path("end-users/", views.dashboard, {"tab": "end-users"}, name="end_users"),
    path("export.csv", views.export, name="export"),
]
