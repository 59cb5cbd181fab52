from django.core.management.base import BaseCommand

from interact.core import demo


class Command(BaseCommand):
    help = "Load the demo operator and organisation (embedded mode only; idempotent)"

    def handle(self, *args, **options):
        created = demo.load()
        self.stdout.write("demo data loaded" if created else "demo data already present")
