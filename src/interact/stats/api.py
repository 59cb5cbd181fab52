"""API of the statistics dashboard (STA-1..3): each tab's tables as JSON, any table as CSV.

Query parameters are the portal's (``period``, ``start``, ``end``, ``channel``, ``topic``,
``skill``, ``time``), validated by the same selector, so a bad period is the same 400 with the
same ``code`` everywhere. Per-end-user figures need ``stats.per_end_user``: Analysts get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from interact.core.api import authorize

from . import exports, selectors, services

router = Router(tags=["statistics"])

VIEW = "stats.view"


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: str
    series: list[int]
    durations: list[int]
    note: str


class PeriodOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    time: str


class TabOut(Schema):
    tab: str
    period: PeriodOut
    channel: int | None
    topic: int | None
    skill: int | None
    tables: list[TableOut]
    average_messages: float | None = None
    pending: int = 0


def _tab(request: HttpRequest, name: str) -> dict:
    user = authorize(request, VIEW)
    if name == "end-users":
        selectors.per_end_user_allowed(user)
    pending = services.catch_up_for_request(user.organisation_id)
    f = selectors.parse_filters(user.organisation, request.GET)
    out = {
        "pending": pending,
        "tab": name,
        "period": {"period": f.period, "start": f.first, "end": f.last,
                   "time": "business" if f.business_hours else "wall"},
        "channel": f.channel.pk if f.channel else None, "topic": f.topic.pk if f.topic else None,
        "skill": f.skill.pk if f.skill else None,
        "tables": [t.as_dict() for t in selectors.tab(name, f, user)],
    }
    if name == "messages":
        out["average_messages"] = selectors.average_messages(f)
    return out


@router.get("/stats/conversations", response=TabOut, url_name="stats_conversations")
def conversations_tab(request: HttpRequest):
    """Conversations received per channel, per topic, by hour and weekday; outcomes (away message,
    chatbot, abandoned) and average durations."""
    return _tab(request, "conversations")


@router.get("/stats/messages", response=TabOut, url_name="stats_messages")
def messages_tab(request: HttpRequest):
    """Messages per conversation (distribution and average), by sender, and time to first response."""
    return _tab(request, "messages")


@router.get("/stats/end-users", response=TabOut, url_name="stats_end_users")
def end_users_tab(request: HttpRequest):
    """Conversations per end user with their durations. Not for Analysts (403)."""
    return _tab(request, "end-users")


@router.get("/stats/export", url_name="stats_export", response={200: str},
            openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}})
def export(request: HttpRequest, table: str) -> HttpResponse:
    """One table as CSV (``table`` = a key of the tabs' tables, e.g. ``per_channel``)."""
    user = authorize(request, VIEW)
    if table == "per_end_user":
        selectors.per_end_user_allowed(user)
    services.catch_up_for_request(user.organisation_id)
    f = selectors.parse_filters(user.organisation, request.GET)
    return exports.csv_response(selectors.table(table, f, user), f)
