from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "interact.core"
    label = "core"
