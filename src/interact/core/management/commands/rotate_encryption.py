from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from interact.core.crypto import ENCRYPTED_FIELDS, reencrypt


class Command(BaseCommand):
    help = ("Re-encrypt every stored secret with the first key of INTERACT_ENCRYPTION_KEYS; afterwards the "
            "old keys can be removed from the list")

    def handle(self, *args, **options):
        total = 0
        for app_label, model_name, field in ENCRYPTED_FIELDS:
            model = apps.get_model(app_label, model_name)
            with transaction.atomic():
                for row in model.objects.select_for_update().exclude(**{field: ""}).only("pk", field):
                    setattr(row, field, reencrypt(getattr(row, field)))
                    row.save(update_fields=[field])
                    total += 1
        self.stdout.write(f"re-encrypted {total} secrets")
