from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "interact.conversations"
    label = "conversations"
    verbose_name = "Conversations"
