from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "interact.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from interact.accounts.models import ActivationStep

        from .backups import activation_step_recorded

        # STO-2: the first full backup is taken when activation records its configuration backup
        # (003 §4.2 step 3), without the accounts context having to know about backups.
        post_save.connect(activation_step_recorded, sender=ActivationStep, dispatch_uid="privacy-activation-backup",
                          weak=False)
