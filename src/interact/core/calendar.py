"""The business calendar (ADM-6): weekly opening periods and closure days, as pure functions.

A *period* is ``(weekday, opens, closes)`` in local wall-clock time, ``weekday`` 0 = Monday.
One occurrence starts on weekday ``W`` at ``opens`` and ends at ``closes`` the same day, or the
next day when ``closes <= opens`` (an overnight period; ``opens == closes`` is not a period).

An instant is open iff some occurrence contains its local wall-clock time, the occurrence's start
date is not a closure day, and the instant's own local date is not a closure day either: a closure
day is closed all day long, even for the tail of last night's period.

Rules compare wall-clock times, so "opens 08:00" means 08:00 on the clock in Brussels on both sides
of a daylight-saving change. During the autumn's repeated hour both instants read the same time and
get the same answer; the spring's skipped hour never appears on the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")

Period = tuple[int, dt.time, dt.time]
ONE_DAY = dt.timedelta(days=1)


def is_overnight(opens: dt.time, closes: dt.time) -> bool:
    return closes <= opens


def validate_period(weekday: int, opens: dt.time, closes: dt.time) -> None:
    """Raises ``ValueError`` for a period that cannot exist."""
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be between 0 (Monday) and 6 (Sunday)")
    if opens == closes:
        raise ValueError("a period cannot open and close at the same time")


def _occurrence(start_date: dt.date, opens: dt.time, closes: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of one occurrence, as naive local wall-clock datetimes."""
    end_date = start_date + ONE_DAY if is_overnight(opens, closes) else start_date
    return dt.datetime.combine(start_date, opens), dt.datetime.combine(end_date, closes)


def local_wall_clock(at: dt.datetime, tz: ZoneInfo = BRUSSELS) -> dt.datetime:
    """The naive wall-clock reading of an aware instant in ``tz``."""
    if at.tzinfo is None:
        raise ValueError("the instant must be timezone-aware")
    # Through UTC: ``astimezone`` to the same zone would return a time the clock skips unchanged.
    return at.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)


def is_open_wall(wall: dt.datetime, periods: Iterable[Period], closures: set[dt.date] | frozenset[dt.date]) -> bool:
    """:func:`is_open` for a naive local wall-clock reading."""
    day = wall.date()
    if day in closures:
        return False
    for weekday, opens, closes in periods:
        # An occurrence lasts less than a day, so only those starting today or yesterday can hold ``wall``.
        for start_date in (day, day - ONE_DAY):
            if start_date.weekday() != weekday or start_date in closures:
                continue
            start, end = _occurrence(start_date, opens, closes)
            if start <= wall < end:
                return True
    return False


def is_open(at: dt.datetime, periods: Iterable[Period], closures: set[dt.date] | frozenset[dt.date],
            tz: ZoneInfo = BRUSSELS) -> bool:
    """Whether the aware instant ``at`` falls within office hours."""
    return is_open_wall(local_wall_clock(at, tz), list(periods), closures)


def first_instant_at_or_after(wall: dt.datetime, tz: ZoneInfo = BRUSSELS) -> dt.datetime:
    """The first aware instant whose wall-clock reading is ``wall`` or later.

    Usually ``wall`` itself; inside the spring gap (a time the clock skips) it is the moment the
    clock jumps forward.
    """
    candidate = wall.replace(tzinfo=tz, fold=0)
    if local_wall_clock(candidate, tz) == wall:
        return candidate
    # In a gap: fold=1 reads the wall time with the later offset, which lands before the jump.
    probe = wall.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    while local_wall_clock(probe, tz) < wall:
        probe += dt.timedelta(minutes=1)
    return probe.astimezone(tz)


def _offset_changes_on(day: dt.date, tz: ZoneInfo) -> list[dt.datetime]:
    """Instants of ``day`` where the clock jumps (daylight saving), in UTC."""
    start = first_instant_at_or_after(dt.datetime.combine(day, dt.time()), tz).astimezone(dt.UTC)
    end = first_instant_at_or_after(dt.datetime.combine(day + ONE_DAY, dt.time()), tz).astimezone(dt.UTC)
    if start.astimezone(tz).utcoffset() == end.astimezone(tz).utcoffset():
        return []
    changes, probe, offset = [], start, start.astimezone(tz).utcoffset()
    while probe < end:
        probe += dt.timedelta(minutes=15)
        if probe.astimezone(tz).utcoffset() != offset:
            offset = probe.astimezone(tz).utcoffset()
            changes.append(probe)
    return changes


def next_change(at: dt.datetime, periods: Iterable[Period], closures: set[dt.date] | frozenset[dt.date],
                tz: ZoneInfo = BRUSSELS, horizon_days: int = 400) -> dt.datetime | None:
    """The first instant after ``at`` where :func:`is_open` changes (in UTC), or ``None`` within the horizon.

    Away messages use it to say when the team is back. State can only change at an occurrence's
    start or end, at a midnight (a closure day begins or ends), or when the clock jumps.
    """
    periods = list(periods)
    current = is_open(at, periods, closures, tz)
    day = local_wall_clock(at, tz).date()
    for offset in range(horizon_days + 1):
        start_date = day + dt.timedelta(days=offset)
        walls = {dt.datetime.combine(start_date, dt.time())}
        for weekday, opens, closes in periods:
            for occurrence_date in (start_date - ONE_DAY, start_date):
                if occurrence_date.weekday() == weekday:
                    walls.update(_occurrence(occurrence_date, opens, closes))
        instants = set(_offset_changes_on(start_date, tz))
        # Only this day's boundaries, so days are visited in order; both readings of a repeated hour.
        for wall in walls:
            if wall.date() != start_date:
                continue
            instants.add(first_instant_at_or_after(wall, tz).astimezone(dt.UTC))
            later = wall.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
            if local_wall_clock(later, tz) == wall:
                instants.add(later)
        for instant in sorted(instants):
            if instant > at and is_open(instant, periods, closures, tz) != current:
                return instant
    return None
