from pathlib import Path

from django.core.management.base import BaseCommand

from interact.core.permissions import render_markdown


class Command(BaseCommand):
    help = "Write the permission matrix (IAM-3) to docs/permissions.md"

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/permissions.md")

    def handle(self, *args, output: str, **options):
        Path(output).write_text(render_markdown())
        self.stdout.write(f"wrote {output}")
