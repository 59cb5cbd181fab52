"""Running database work from async consumers.

Channels' ``database_sync_to_async`` runs every call of a process on ONE thread, which made a
server process store only 30–50 messages a second (bench/README.md). On PostgreSQL the calls may
run side by side in the executor's thread pool, each thread with its own persistent connection;
SQLite (the embedded default) allows one writer at a time, so there the single thread stays.
"""

from __future__ import annotations

from collections.abc import Callable

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings


def parallel() -> bool:
    """Whether database calls may run side by side (PostgreSQL), or one at a time (SQLite)."""
    return not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def db_call(func: Callable) -> Callable:
    """Decorator: like ``database_sync_to_async``, but parallel where the database allows it."""
    if parallel():
        return DatabaseSyncToAsync(func, thread_sensitive=False)
    return database_sync_to_async(func)
