from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "interact.bots"
    label = "bots"
