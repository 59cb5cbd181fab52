from django.apps import AppConfig


class AdminPortalConfig(AppConfig):
    name = "interact.admin_portal"
    label = "admin_portal"
    verbose_name = "Portal administration"
