"""The home page shows the organisation's real state: open or closed now (ADM-6), seats, channels."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from interact.core import clock

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.django_db
@pytest.mark.parametrize(("instant", "expected"), [
    (dt.datetime(2026, 12, 7, 10, 0, tzinfo=BRUSSELS), "Open"),     # Monday 10:00
    (dt.datetime(2026, 12, 6, 10, 0, tzinfo=BRUSSELS), "Closed"),   # Sunday
    (dt.datetime(2026, 12, 25, 10, 0, tzinfo=BRUSSELS), "Closed"),  # Friday, Christmas closure day
])
def test_adm6_home_says_whether_the_organisation_is_open(admin, org, login, instant, expected):
    from interact.admin_portal.models import ClosureDay, OfficeHoursPeriod

    for weekday in range(5):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(9), closes=dt.time(17))
    ClosureDay.objects.create(organisation=org, date=dt.date(2026, 12, 25), label="Christmas")
    with clock.frozen(instant):
        body = login(admin).get("/").content.decode()
    status = body.split('data-testid="office-status"', 1)[1].split("</p>", 1)[0]
    assert expected in status
