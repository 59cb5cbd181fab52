from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "interact.connectors"
    label = "connectors"
