"""Portal routes of chatbots, mounted under ``portal/bots/`` (BOT-1, BOT-2)."""

from django.urls import path

from . import views

app_name = "bots"

urlpatterns = [
    path("", views.bot_list, name="bots"),
    path("new/", views.bot_create, name="bot_create"),
    path("<int:bot_id>/", views.bot_edit, name="bot_edit"),
    path("<int:bot_id>/delete/", views.bot_delete, name="bot_delete"),
    path("<int:bot_id>/api-key/", views.bot_rotate_api_key, name="bot_rotate_api_key"),
    path("<int:bot_id>/secret/", views.bot_rotate_secret, name="bot_rotate_secret"),
    # Handover from the inbox (BOT-2): answer with the inbox's conversation pane.
    path("handover/<int:conversation_id>/pause/", views.pause, name="pause"),
    path("handover/<int:conversation_id>/restart/", views.restart, name="restart"),
]
