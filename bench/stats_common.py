"""Shared by the statistics benchmark scripts: their own PostgreSQL database, so generating
ten million messages never touches ``interact_bench`` (used by the other benchmarks) or the
test databases."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT_DIR, PG_BASE, ROOT, django_env, percentile, save_result  # noqa: E402,F401

STATS_DB = os.environ.get("BENCH_STATS_DB", "interact_stats_bench")
STATS_DB_URL = f"{PG_BASE}/{STATS_DB}"
STATS_REDIS_URL = os.environ.get("BENCH_STATS_REDIS_URL", "redis://127.0.0.1:6379/8")


def setup_django() -> None:
    env = django_env("embedded")
    env.update({"INTERACT_DATABASE_URL": STATS_DB_URL, "INTERACT_REDIS_URL": STATS_REDIS_URL,
                "INTERACT_HUEY_IMMEDIATE": "1"})
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
