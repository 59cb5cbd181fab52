"""Portal routes of the privacy centre, mounted under ``portal/privacy/`` (PRV-2..7)."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/files/<str:name>", views.package_file, name="package_file"),
    path("consents/", views.consents, name="consents"),
    path("holds/", views.holds, name="holds"),
    path("holds/<int:hold_id>/release/", views.hold_release, name="hold_release"),
    path("retention/", views.retention_page, name="retention"),
    path("access-log/", views.access_log_page, name="access_log"),
    path("breaches/", views.breach_notices, name="breaches"),
]
