from django.apps import AppConfig


class AdminPortalConfig(AppConfig):
    name = "interact.admin_portal"
    label = "admin_portal"
    verbose_name = "Portal administration"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import ClosureDay, OfficeHoursPeriod
        from .selectors import forget_calendar

        def changed(sender, instance, **kwargs) -> None:
            forget_calendar(instance.organisation_id)

        for model in (OfficeHoursPeriod, ClosureDay):
            post_save.connect(changed, sender=model, dispatch_uid=f"calendar-{model.__name__}-save", weak=False)
            post_delete.connect(changed, sender=model, dispatch_uid=f"calendar-{model.__name__}-delete", weak=False)
