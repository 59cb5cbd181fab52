"""Operator console routes of the privacy centre, mounted under ``operator/privacy/`` (PRV-6, PRV-7, STO-2)."""

from django.urls import path

from . import views

app_name = "privacy_operator"

urlpatterns = [
    path("breaches/", views.operator_breaches, name="breaches"),
    path("breaches/<int:breach_id>/", views.operator_breach, name="breach"),
    path("organisations/<int:org_id>/", views.operator_organisation, name="organisation"),
    path("organisations/<int:org_id>/conversations/<int:conversation_id>/", views.operator_conversation,
         name="conversation"),
]
