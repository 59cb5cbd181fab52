"""The one clock business rules read (DESIGN: time is injected).

Rules take ``now`` as an argument; callers at the edge get it from :func:`now`, and tests
freeze it with :func:`frozen` instead of patching ``datetime`` everywhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Aware UTC datetime: the frozen instant in tests, wall time otherwise."""
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    """The business date in the portal's time zone (Europe/Brussels)."""
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(instant: dt.datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, instant
    try:
        yield
    finally:
        _frozen = previous
