from django.urls import path

from . import views

app_name = "connectors"

urlpatterns = [
    path("", views.channel_list, name="channels"),
    path("new/", views.channel_create, name="channel_create"),
    path("<int:channel_id>/", views.channel_edit, name="channel_edit"),
    path("<int:channel_id>/delete/", views.channel_delete, name="channel_delete"),
    path("<int:channel_id>/snippet/", views.channel_snippet, name="channel_snippet"),
    path("<int:channel_id>/identity-secret/", views.channel_rotate_secret, name="channel_rotate_secret"),
]
