"""ADM-6, CNV-8: the cached calendar follows every change of office hours and closure days at once."""

from __future__ import annotations

import datetime as dt

import pytest

from interact.admin_portal import selectors, services
from interact.admin_portal.models import ClosureDay, OfficeHoursPeriod
from interact.core import clock

pytestmark = pytest.mark.django_db
MONDAY_10H = dt.datetime(2031, 3, 3, 9, 0, tzinfo=dt.UTC)  # 10:00 in Brussels


def test_adding_and_removing_hours_and_closures_takes_effect_immediately(org):
    with clock.frozen(MONDAY_10H):
        assert not selectors.is_open_now(org)
        period = OfficeHoursPeriod.objects.create(organisation=org, weekday=0, opens=dt.time(8), closes=dt.time(18))
        assert selectors.is_open_now(org)
        closure = ClosureDay.objects.create(organisation=org, date=dt.date(2031, 3, 3), label="Strike")
        assert not selectors.is_open_now(org)
        closure.delete()
        assert selectors.is_open_now(org)
        period.delete()
        assert not selectors.is_open_now(org)


def test_holiday_import_refreshes_the_cached_calendar(org):
    easter_monday_10h = dt.datetime(2031, 4, 14, 8, 0, tzinfo=dt.UTC)
    OfficeHoursPeriod.objects.create(organisation=org, weekday=0, opens=dt.time(8), closes=dt.time(18))
    with clock.frozen(easter_monday_10h):
        assert selectors.is_open_now(org)
        services.import_belgian_holidays(org, 2031, "en")
        assert not selectors.is_open_now(org)
