"""Rebuild the statistics facts of every conversation (or one organisation's): after a change of
definitions, or to fill the facts of conversations stored before the stats app existed."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from interact.stats import services


class Command(BaseCommand):
    help = "Mark conversations stale and rebuild their statistics facts (STA-3)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organisation", type=int, default=None)
        parser.add_argument("--mark-only", action="store_true", help="leave the rebuilding to the worker")

    def handle(self, *args, organisation: int | None = None, mark_only: bool = False, **options) -> None:
        marked = services.mark_all(organisation)
        self.stdout.write(f"{marked} conversations marked")
        if mark_only:
            return
        total = 0
        while True:
            done = services.catch_up(organisation, limit=1000)
            total += done
            if done == 0:
                break
        self.stdout.write(f"{total} rebuilt")
