"""Rate limits for sockets and public endpoints.

A token bucket per socket absorbs a burst without penalty and refuses a flood; a counter in the
shared cache (Redis in production) caps one visitor across all their tabs and every server
process. Both answer with a clear refusal, never by dropping a connection someone else shares.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.cache import cache


@dataclass
class TokenBucket:
    capacity: float
    refill_per_second: float
    tokens: float = field(default=-1.0)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def allow(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.refill_per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def within_window_limit(key: str, limit: int, window_seconds: int = 60, now: float | None = None) -> bool:
    """At most ``limit`` hits per fixed window for ``key``, counted in the shared cache."""
    now = time.time() if now is None else now
    bucket = f"rl:{key}:{int(now // window_seconds)}"
    if cache.add(bucket, 1, timeout=window_seconds * 2):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window_seconds * 2)
        return True
    return count <= limit
