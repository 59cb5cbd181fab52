from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "interact.accounts"
    label = "accounts"
