"""Durations in office hours (STA-3): how much of an interval the organisation was open.

A pure function of (calendar, timestamps) like :mod:`interact.core.calendar`, and consistent with
its :func:`~interact.core.calendar.is_open` by construction: the interval is cut at every instant
where openness *could* change (an occurrence's start or end read in both folds of a repeated hour,
a local midnight, a daylight-saving jump), and a piece counts in full when the calendar says open
at its start. Between two consecutive cuts ``is_open`` cannot change, so the sum is exact, it is
additive over split intervals, never longer than the wall-clock duration, and zero when closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from interact.core import calendar

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """An organisation's office hours as the stats need them: weekly periods and closure days."""

    periods: tuple[calendar.Period, ...] = ()
    closures: frozenset[dt.date] = field(default_factory=frozenset)
    tz: ZoneInfo = calendar.BRUSSELS


def _instants_reading(wall: dt.datetime, tz: ZoneInfo) -> set[dt.datetime]:
    """Every instant (UTC) where the clock starts to read ``wall``: one, two in the autumn's
    repeated hour, the jump itself when ``wall`` lies in the spring's gap."""
    found = {calendar.first_instant_at_or_after(wall, tz).astimezone(dt.UTC)}
    later = wall.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    if calendar.local_wall_clock(later, tz) == wall:
        found.add(later)
    return found


def _jumps(day: dt.date, tz: ZoneInfo) -> set[dt.datetime]:
    """Instants of ``day`` where the UTC offset changes (daylight saving), to the minute."""
    start = calendar.first_instant_at_or_after(dt.datetime.combine(day, dt.time()), tz).astimezone(dt.UTC)
    end = calendar.first_instant_at_or_after(dt.datetime.combine(day + ONE_DAY, dt.time()), tz).astimezone(dt.UTC)
    if start.astimezone(tz).utcoffset() == end.astimezone(tz).utcoffset():
        return set()
    jumps, probe, offset = set(), start, start.astimezone(tz).utcoffset()
    while probe < end:
        probe += dt.timedelta(minutes=1)
        if probe.astimezone(tz).utcoffset() != offset:
            offset = probe.astimezone(tz).utcoffset()
            jumps.add(probe)
    return jumps


def _cuts(start: dt.datetime, end: dt.datetime, cal: Calendar) -> list[dt.datetime]:
    tz = cal.tz
    first = calendar.local_wall_clock(start, tz).date() - ONE_DAY
    last = calendar.local_wall_clock(end, tz).date() + ONE_DAY
    cuts = {start, end}
    day = first
    while day <= last:
        walls = {dt.datetime.combine(day, dt.time())}
        for weekday, opens, closes in cal.periods:
            if day.weekday() == weekday:
                walls.add(dt.datetime.combine(day, opens))
                close_day = day + ONE_DAY if calendar.is_overnight(opens, closes) else day
                walls.add(dt.datetime.combine(close_day, closes))
        for wall in walls:
            cuts.update(_instants_reading(wall, tz))
        cuts.update(_jumps(day, tz))
        day += ONE_DAY
    return sorted(c for c in cuts if start <= c <= end)


def business_time(start: dt.datetime, end: dt.datetime, cal: Calendar) -> dt.timedelta:
    """How much of ``[start, end)`` lies within office hours; zero when ``end <= start``."""
    total = dt.timedelta()
    if end <= start or not cal.periods:
        return total
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    periods = list(cal.periods)
    cuts = _cuts(start, end, cal)
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b > a and calendar.is_open(a, periods, cal.closures, cal.tz):
            total += b - a
    return total


def business_seconds(start: dt.datetime, end: dt.datetime, cal: Calendar) -> int:
    """:func:`business_time` in whole seconds, the unit the facts store."""
    return round(business_time(start, end, cal).total_seconds())


def wall_seconds(start: dt.datetime, end: dt.datetime) -> int:
    """Whole seconds between two instants, 0 when ``end <= start``."""
    return max(round((end - start).total_seconds()), 0)


def always_open() -> Calendar:
    """A calendar open around the clock: business time equals wall-clock time."""
    # A period cannot open and close at the same time: two halves, the second ending at midnight.
    return Calendar(periods=tuple(p for d in range(7) for p in ((d, dt.time(0), dt.time(12)),
                                                              (d, dt.time(12), dt.time(0)))))


def covering(periods: Iterable[calendar.Period], closures: Iterable[dt.date], tz: ZoneInfo = calendar.BRUSSELS
             ) -> Calendar:
    return Calendar(tuple(periods), frozenset(closures), tz)
