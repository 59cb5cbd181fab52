"""PRV-2 deadline arithmetic (002 §11.2): 30 days from complete information, extendable once by at
most 60 days with a notice before the initial deadline. Property tests over any instant and zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interact.core.errors import ServiceError
from interact.privacy import deadlines

instants = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                        timezones=st.sampled_from([dt.UTC, zoneinfo.ZoneInfo("Europe/Brussels")]))


@given(instants)
def test_prv2_the_deadline_is_exactly_30_days_after_complete_information(complete):
    due = deadlines.initial_due(complete)
    assert due - complete == dt.timedelta(days=30)
    assert (due.astimezone(dt.UTC) - complete.astimezone(dt.UTC)).total_seconds() == 30 * 86400


@given(instants, st.integers(min_value=1, max_value=60), st.floats(min_value=0, max_value=0.999))
def test_prv2_an_extension_noticed_in_time_moves_the_deadline_by_at_most_60_days(complete, days, when):
    due = deadlines.initial_due(complete)
    notice = complete.astimezone(dt.UTC) + (due - complete) * when
    granted = deadlines.check_extension(due, 0, days, notice)
    final = deadlines.final_due(due, granted)
    assert due < final <= due + dt.timedelta(days=60)
    assert final - complete <= dt.timedelta(days=90)


@given(instants, st.integers(min_value=1, max_value=60), st.timedeltas(min_value=dt.timedelta(0),
                                                                      max_value=dt.timedelta(days=400)))
def test_prv2_a_notice_at_or_after_the_initial_deadline_is_refused(complete, days, late):
    due = deadlines.initial_due(complete)
    with pytest.raises(ServiceError) as refused:
        deadlines.check_extension(due, 0, days, due + late)
    assert refused.value.code == "notice_too_late"


@given(instants, st.one_of(st.integers(max_value=0), st.integers(min_value=61)))
def test_prv2_an_extension_is_1_to_60_days(complete, days):
    due = deadlines.initial_due(complete)
    with pytest.raises(ServiceError) as refused:
        deadlines.check_extension(due, 0, days, complete)
    assert refused.value.code == "invalid_extension"


@given(instants, st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=60))
def test_prv2_the_deadline_is_extended_only_once(complete, first, second):
    due = deadlines.initial_due(complete)
    with pytest.raises(ServiceError) as refused:
        deadlines.check_extension(due, first, second, complete)
    assert refused.value.code == "already_extended"


@given(instants, st.timedeltas(min_value=dt.timedelta(days=-100), max_value=dt.timedelta(days=100)))
def test_prv2_days_left_counts_down_to_the_deadline(due, offset):
    now = due - offset
    left = deadlines.days_left(due, now)
    assert left <= offset.total_seconds() / 86400 < left + 1


def test_prv2_naive_instants_are_refused():
    with pytest.raises(ValueError):
        deadlines.initial_due(dt.datetime(2025, 1, 1))
