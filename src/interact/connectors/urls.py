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
    path("facebook/new/", views.facebook_connect, name="facebook_connect"),
    path("facebook/<int:page_id>/", views.facebook_page, name="facebook_page"),
    path("facebook/<int:page_id>/disconnect/", views.facebook_disconnect, name="facebook_disconnect"),
]
