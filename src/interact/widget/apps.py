from django.apps import AppConfig


class WidgetConfig(AppConfig):
    name = "interact.widget"
    label = "widget"
    verbose_name = "Website chat widget (SDK)"
