"""Jobs of the stats context: rebuild a conversation's facts after its course changed, and a
sweep that catches up whatever a missed job left stale (idempotent, so running twice is harmless)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def rebuild_conversation(conversation_id: int) -> None:
    services.rebuild(conversation_id)


@db_periodic_task(crontab(minute="*"))
def catch_up_stale() -> None:
    services.catch_up(limit=5000)
