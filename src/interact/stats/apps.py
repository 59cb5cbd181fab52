from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "interact.stats"
    label = "stats"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from interact.conversations.models import Event

        from .services import event_recorded

        post_save.connect(event_recorded, sender=Event, dispatch_uid="stats-event-recorded", weak=False)
