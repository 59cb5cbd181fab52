"""Fixtures for the statistics tests: an organisation open Monday–Friday 09:00–17:00 and a
small, hand-timed week of conversations driven through the real services (STA-1..3)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

_seq = itertools.count(1)
BRU = dt.timezone(dt.timedelta(hours=1))  # winter time: 2 March 2026 is a Monday


def at(day: int, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 3, day, h, m, tzinfo=BRU)


@pytest.fixture
def office_hours(org):
    from interact.admin_portal.models import OfficeHoursPeriod

    for weekday in range(5):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(9), closes=dt.time(17))
    return org


@pytest.fixture
def channels(org):
    from interact.connectors.models import Channel, ChannelKind

    site = Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Site",
                                  away_message="We are closed; we answer on Monday.")
    shop = Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Shop",
                                  away_message="We are closed; we answer on Monday.")
    return site, shop


@pytest.fixture
def people(org, make_user):
    return {"anna": make_user(org, "agent", first_name="Anna", last_name="Agent"),
            "bert": make_user(org, "agent", first_name="Bert", last_name="Agent"),
            "sue": make_user(org, "supervisor", first_name="Sue", last_name="Visor"),
            "ann": make_user(org, "analyst", first_name="Ann", last_name="Lyst")}


@pytest.fixture
def week(org, office_hours, channels, people):
    """Three conversations in the week of 2 March 2026, timed by hand (see test_dashboard.py)."""
    from interact.admin_portal.models import Topic
    from interact.connectors import webchat as connector
    from interact.conversations import services
    from interact.core import clock

    site, shop = channels
    anna, bert = people["anna"], people["bert"]
    billing = Topic.objects.create(organisation=org, name="Billing")
    delivery = Topic.objects.create(organisation=org, name="Delivery")

    def visitor(channel):
        return connector.visitor_for(channel, connector.identify(channel))

    def write(channel, who, when, body="Hello"):
        with clock.frozen(when):
            return services.receive_message(channel, who, body, client_id=f"s{next(_seq)}").message.conversation

    def do(when, fn, *args):
        with clock.frozen(when):
            return fn(*args)

    # 1. Monday 10:00 on Site: taken 10:04, answered 10:05, ended 10:20, filed under Billing.
    v1 = visitor(site)
    c1 = write(site, v1, at(2, "10:00"))
    do(at(2, "10:04"), services.take, c1, anna)
    do(at(2, "10:05"), services.send_reply, c1, anna, "How can I help?")
    do(at(2, "10:20"), services.end, c1, anna)
    do(at(2, "10:21"), services.archive, c1, [billing], anna)
    # 2. Monday 16:50 on Site: Anna takes it 16:52 and releases it 16:55; Bert takes it 17:10,
    #    answers 17:15 and ends it 17:30 (the office closes at 17:00). Filed under Delivery.
    v2 = visitor(site)
    c2 = write(site, v2, at(2, "16:50"))
    do(at(2, "16:52"), services.take, c2, anna)
    do(at(2, "16:55"), services.release, c2, anna)
    do(at(2, "17:10"), services.take, c2, bert)
    do(at(2, "17:15"), services.send_reply, c2, bert, "Sorry for the wait")
    do(at(2, "17:30"), services.end, c2, bert)
    do(at(2, "17:31"), services.archive, c2, [delivery], bert)
    # 3. Saturday 10:00 on Shop: the away message goes out; the visitor leaves at 10:30.
    v3 = visitor(shop)
    c3 = write(shop, v3, at(7, "10:00"))
    do(at(7, "10:30"), services.end, c3, None)
    return {"c1": c1, "c2": c2, "c3": c3, "billing": billing, "delivery": delivery, "site": site, "shop": shop}


@pytest.fixture
def week_query():
    return {"period": "custom", "start": "2026-03-01", "end": "2026-03-07"}
