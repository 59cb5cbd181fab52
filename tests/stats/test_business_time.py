"""Office-hours durations (STA-3): worked examples and the rules every duration obeys.

Properties: never longer than the wall clock; additive over any split; zero when closed all the
time; equal to the wall clock when open all the time; and consistent with the calendar's own
``is_open`` (a short interval counts fully when open at both ends and nothing in between changes).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from interact.core import calendar
from interact.stats.business_time import Calendar, always_open, business_time

UTC = dt.UTC
OFFICE = Calendar(periods=tuple((d, dt.time(9), dt.time(17)) for d in range(5)))


def bru(*args) -> dt.datetime:
    return calendar.first_instant_at_or_after(dt.datetime(*args))


def test_sta3_weekend_and_closure_day_count_nothing():
    friday_16, monday_10 = bru(2026, 3, 6, 16), bru(2026, 3, 9, 10)
    assert business_time(friday_16, monday_10, OFFICE) == dt.timedelta(hours=2)
    closed_monday = Calendar(OFFICE.periods, frozenset({dt.date(2026, 3, 9)}))
    assert business_time(friday_16, monday_10, closed_monday) == dt.timedelta(hours=1)


def test_sta3_overnight_period_stops_at_a_closure_day():
    night = Calendar(((0, dt.time(22), dt.time(6)),), frozenset({dt.date(2026, 3, 3)}))
    assert business_time(bru(2026, 3, 2, 20), bru(2026, 3, 3, 8), night) == dt.timedelta(hours=2)


def test_sta3_daylight_saving_days_count_real_elapsed_time():
    # 29 March 2026: 02:00 → 03:00. Open 01:00–04:00 on Sundays: only two real hours.
    spring = Calendar(((6, dt.time(1), dt.time(4)),))
    assert business_time(bru(2026, 3, 29, 0), bru(2026, 3, 29, 6), spring) == dt.timedelta(hours=2)
    # 25 October 2026: 03:00 → 02:00. Open 01:00–04:00: four real hours.
    autumn = Calendar(((6, dt.time(1), dt.time(4)),))
    assert business_time(bru(2026, 10, 25, 0), bru(2026, 10, 25, 6), autumn) == dt.timedelta(hours=4)


instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31),
                        timezones=st.just(UTC))
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def calendars(draw) -> Calendar:
    periods = []
    for _ in range(draw(st.integers(0, 5))):
        opens, closes = draw(times), draw(times)
        if opens != closes:
            periods.append((draw(st.integers(0, 6)), opens, closes))
    days = draw(st.lists(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)), max_size=30))
    return Calendar(tuple(periods), frozenset(days))


durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=9))


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, durations)
def test_sta3_never_longer_than_the_wall_clock(cal, start, length):
    assert dt.timedelta(0) <= business_time(start, start + length, cal) <= length


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, durations, st.floats(0, 1))
def test_sta3_additive_over_a_split(cal, start, length, cut):
    end = start + length
    middle = start + length * cut
    assert business_time(start, middle, cal) + business_time(middle, end, cal) == business_time(start, end, cal)


@settings(max_examples=60, deadline=None)
@given(instants, durations)
def test_sta3_zero_without_office_hours_and_full_when_always_open(start, length):
    assert business_time(start, start + length, Calendar()) == dt.timedelta(0)
    assert business_time(start, start + length, always_open()) == length


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, st.integers(1, 120))
def test_sta3_consistent_with_is_open(cal, start, seconds):
    """A few seconds long: all of it counts iff the calendar is open at its start and its last
    second and the state never changes in between; none iff closed throughout."""
    end = start + dt.timedelta(seconds=seconds)
    got = business_time(start, end, cal)
    periods = list(cal.periods)
    change = calendar.next_change(start, periods, cal.closures, horizon_days=2)
    steady = change is None or change >= end
    if steady:
        expected = dt.timedelta(seconds=seconds) if calendar.is_open(start, periods, cal.closures) else dt.timedelta(0)
        assert got == expected
