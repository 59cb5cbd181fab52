from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "interact.connectors"
    label = "connectors"

    def ready(self) -> None:
        # Each connector module registers itself (CHN-4).
        from . import messenger, page_comments, webchat  # noqa: F401
