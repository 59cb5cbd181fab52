"""The one public route of the privacy centre: the person's identity link (PRV-2)."""

from django.urls import path

from . import views

app_name = "privacy_public"

urlpatterns = [
    path("verify/<str:token>/", views.verify_identity_link, name="verify"),
]
