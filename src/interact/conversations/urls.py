"""Portal routes of the conversations context, mounted under ``portal/``: Inbox (CNV-1..5, CNV-9)
and History (CNV-6, CNV-7)."""

from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/lists/", views.inbox_lists, name="inbox_lists"),
    path("inbox/<int:conversation_id>/", views.conversation, name="conversation"),
    path("inbox/<int:conversation_id>/messages/", views.conversation_messages, name="messages"),
    path("inbox/<int:conversation_id>/take/", views.take, name="take"),
    path("inbox/<int:conversation_id>/release/", views.release, name="release"),
    path("inbox/<int:conversation_id>/end/", views.end, name="end"),
    path("inbox/<int:conversation_id>/reply/", views.reply, name="reply"),
    path("inbox/<int:conversation_id>/assign/", views.assign, name="assign"),
    path("inbox/<int:conversation_id>/skills/", views.set_skills, name="skills"),
    path("inbox/<int:conversation_id>/archive/", views.archive, name="archive"),
    path("inbox/<int:conversation_id>/messages/<int:message_id>/retry/", views.retry, name="retry"),
    path("inbox/<int:conversation_id>/visitor/", views.visitor_profile, name="visitor_profile"),
    path("inbox/<int:conversation_id>/notes/", views.add_note, name="add_note"),
    path("history/", views.history, name="history"),
    path("history/<int:conversation_id>/", views.history_detail, name="history_detail"),
]
