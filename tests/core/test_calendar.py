"""ADM-6: the business calendar as pure functions, checked by examples and by hypothesis properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interact.core.calendar import (
    BRUSSELS,
    first_instant_at_or_after,
    is_open,
    local_wall_clock,
    next_change,
    validate_period,
)

T = dt.time


def brussels(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BRUSSELS)


# --- worked examples -------------------------------------------------------------------------

FRIDAY_NIGHT = [(4, T(22, 0), T(2, 0))]
WEEKDAYS_9_TO_17 = [(d, T(9, 0), T(17, 0)) for d in range(5)]


def test_adm6_friday_overnight_period_is_open_on_saturday_at_one():
    assert is_open(brussels(2025, 3, 8, 1, 0), FRIDAY_NIGHT, set())  # Saturday 01:00
    assert is_open(brussels(2025, 3, 7, 22, 0), FRIDAY_NIGHT, set())  # Friday 22:00 (opens: inclusive)
    assert not is_open(brussels(2025, 3, 8, 2, 0), FRIDAY_NIGHT, set())  # closes: exclusive
    assert not is_open(brussels(2025, 3, 7, 21, 59), FRIDAY_NIGHT, set())
    assert not is_open(brussels(2025, 3, 9, 1, 0), FRIDAY_NIGHT, set())  # Sunday 01:00


def test_adm6_belgian_national_day_is_closed():
    monday_21_july = brussels(2025, 7, 21, 10, 0)
    assert monday_21_july.weekday() == 0
    assert is_open(brussels(2025, 7, 14, 10, 0), WEEKDAYS_9_TO_17, set())
    assert not is_open(monday_21_july, WEEKDAYS_9_TO_17, {dt.date(2025, 7, 21)})


def test_adm6_overnight_tail_is_closed_when_either_day_is_a_closure():
    saturday_one = brussels(2025, 3, 8, 1, 0)
    assert not is_open(saturday_one, FRIDAY_NIGHT, {dt.date(2025, 3, 7)})  # the occurrence's start day
    assert not is_open(saturday_one, FRIDAY_NIGHT, {dt.date(2025, 3, 8)})  # the instant's own day


def test_adm6_midnight_closing_time_means_end_of_day():
    periods = [(0, T(18, 0), T(0, 0))]
    assert is_open(brussels(2025, 3, 3, 23, 59), periods, set())
    assert not is_open(brussels(2025, 3, 4, 0, 0), periods, set())


def test_adm6_wall_clock_hours_survive_daylight_saving():
    sunday_all_day = [(6, T(0, 0), T(23, 59))]
    # 30 March 2025: clocks jump 02:00 -> 03:00; 26 October 2025: 03:00 -> 02:00.
    assert is_open(brussels(2025, 3, 30, 8, 0), [(6, T(8, 0), T(9, 0))], set())
    assert is_open(dt.datetime(2025, 3, 30, 6, 0, tzinfo=dt.UTC), [(6, T(8, 0), T(9, 0))], set())  # 08:00 CEST
    assert is_open(dt.datetime(2025, 1, 5, 7, 0, tzinfo=dt.UTC), [(6, T(8, 0), T(9, 0))], set())  # 08:00 CET
    # Both readings of the repeated hour 02:30 are inside a 02:00-03:00 period.
    first = dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC)
    second = dt.datetime(2025, 10, 26, 1, 30, tzinfo=dt.UTC)
    assert local_wall_clock(first) == local_wall_clock(second) == dt.datetime(2025, 10, 26, 2, 30)
    assert is_open(first, [(6, T(2, 0), T(3, 0))], set())
    assert is_open(second, [(6, T(2, 0), T(3, 0))], set())
    assert is_open(brussels(2025, 10, 26, 12, 0), sunday_all_day, set())


def test_adm6_naive_instants_are_refused():
    with pytest.raises(ValueError):
        is_open(dt.datetime(2025, 1, 1, 10, 0), WEEKDAYS_9_TO_17, set())


def test_adm6_validate_period():
    validate_period(0, T(9), T(17))
    validate_period(6, T(22), T(2))
    with pytest.raises(ValueError):
        validate_period(7, T(9), T(17))
    with pytest.raises(ValueError):
        validate_period(0, T(9), T(9))


def test_adm6_next_change_examples():
    friday_evening = brussels(2025, 3, 7, 18, 0)
    assert next_change(friday_evening, FRIDAY_NIGHT, set()) == brussels(2025, 3, 7, 22, 0)
    assert next_change(brussels(2025, 3, 7, 23, 0), FRIDAY_NIGHT, set()) == brussels(2025, 3, 8, 2, 0)
    # A closure on Saturday cuts Friday night short at midnight.
    assert next_change(brussels(2025, 3, 7, 23, 0), FRIDAY_NIGHT, {dt.date(2025, 3, 8)}) == brussels(2025, 3, 8)
    # Closed on the national day: next opening is Tuesday 09:00.
    assert next_change(brussels(2025, 7, 21, 8, 0), WEEKDAYS_9_TO_17, {dt.date(2025, 7, 21)}) \
        == brussels(2025, 7, 22, 9, 0)
    assert next_change(brussels(2025, 7, 21, 8, 0), [], set()) is None


def test_adm6_next_change_inside_spring_gap_is_the_jump():
    # 02:30 does not exist on 30 March 2025; a period opening then starts when the clock reads 03:00.
    periods = [(6, T(2, 30), T(5, 0))]
    jump = first_instant_at_or_after(dt.datetime(2025, 3, 30, 2, 30))
    assert jump == dt.datetime(2025, 3, 30, 1, 0, tzinfo=dt.UTC)
    assert next_change(brussels(2025, 3, 30, 0, 0), periods, set()) == jump


# --- properties ------------------------------------------------------------------------------

times = st.builds(T, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
periods_strategy = st.lists(
    st.tuples(st.integers(0, 6), times, times).filter(lambda p: p[1] != p[2]), max_size=5
)
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31))
closures_strategy = st.frozensets(dates, max_size=20)
instants = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 31),
    timezones=st.just(dt.UTC),
)


def reference_is_open(at: dt.datetime, periods, closures) -> bool:
    """Brute force: expand every occurrence around ``at`` into the set of open local minutes."""
    wall = local_wall_clock(at)
    minute = wall.replace(second=0, microsecond=0)
    open_minutes: set[dt.datetime] = set()
    for offset in (-2, -1, 0):
        start_date = wall.date() + dt.timedelta(days=offset)
        for weekday, opens, closes in periods:
            if start_date.weekday() != weekday or start_date in closures:
                continue
            cursor = dt.datetime.combine(start_date, opens)
            end_date = start_date + dt.timedelta(days=1) if closes <= opens else start_date
            end = dt.datetime.combine(end_date, closes)
            while cursor < end:
                if cursor.date() not in closures:
                    open_minutes.add(cursor)
                cursor += dt.timedelta(minutes=1)
    return minute in open_minutes


@given(at=instants, periods=periods_strategy, closures=closures_strategy)
@settings(max_examples=150, deadline=None)
def test_adm6_property_agrees_with_brute_force(at, periods, closures):
    assert is_open(at, periods, closures) == reference_is_open(at, periods, closures)


@given(at=instants, periods=periods_strategy)
@settings(max_examples=200, deadline=None)
def test_adm6_property_closure_days_are_always_closed(at, periods):
    closures = {local_wall_clock(at).date()}
    assert not is_open(at, periods, closures)


@given(day=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31)), opens=times, closes=times,
       minute=st.integers(0, 24 * 60 - 1))
@settings(max_examples=200, deadline=None)
def test_adm6_property_overnight_period_symmetry(day, opens, closes, minute):
    """A period A->B on day W is open at a wall time exactly when the period B->A is closed,
    outside the minutes where either one is the only period ever (both split the day in two)."""
    if opens == closes:
        return
    wall = dt.datetime.combine(day, T()) + dt.timedelta(minutes=minute)
    at = first_instant_at_or_after(wall)
    if local_wall_clock(at) != wall:  # skipped by daylight saving
        return
    every_day = [(w, opens, closes) for w in range(7)]
    complement = [(w, closes, opens) for w in range(7)]
    assert is_open(at, every_day, set()) != is_open(at, complement, set())


@given(at=instants, periods=periods_strategy.filter(bool), closures=closures_strategy,
       probes=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=8))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_adm6_property_next_change_is_the_first_change(at, periods, closures, probes):
    change = next_change(at, periods, closures, horizon_days=30)
    before = is_open(at, periods, closures)
    if change is None:
        return
    assert change > at
    assert is_open(change, periods, closures) != before
    span = (change - at).total_seconds()
    for fraction in probes:
        probe = min(at + dt.timedelta(seconds=span * fraction), change - dt.timedelta(microseconds=1))
        assert is_open(probe, periods, closures) == before
