"""Portal pages of the statistics dashboard (STA-1..3): one page per tab, each table drawn as a
chart (Chart.js, vendored) above the same numbers as a table, and a CSV link per table.

Bad filters never cost the page: it answers 400 with the error next to the form. A role without
``stats.per_end_user`` (Analysts) gets 403 on the End users tab and on its export, whatever the URL.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from interact.admin_portal.models import Skill, Topic
from interact.connectors.models import Channel
from interact.core import clock
from interact.core.access import portal_view
from interact.core.errors import ServiceError

from . import exports, selectors, services

VIEW = "stats.view"
TAB_URLS = {"conversations": "stats:dashboard", "messages": "stats:messages", "end-users": "stats:end_users"}


def _choices(org) -> dict:
    return {"channels": Channel.objects.for_org(org).order_by("name").values_list("pk", "name"),
            "topics": Topic.objects.for_org(org).values_list("pk", "name"),
            "skills": Skill.objects.for_org(org).values_list("pk", "name")}


def format_duration(seconds: int | None) -> str:
    """Seconds as people read them: ``42 s``, ``4 min 10 s``, ``2 h 5 min``, ``3 d 4 h``."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": s}
    hours, m = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": m}
    days, h = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": h}


def _display(table: selectors.Table) -> dict:
    """The table for the template: durations readable, the raw numbers kept for the chart."""
    data = table.as_dict()
    data["headings"] = [str(c) for c in (table.headings or table.columns)]
    data["long"] = len(table.rows) > 12
    data["display_rows"] = [[format_duration(v) if i in table.durations else ("—" if v is None else v)
                             for i, v in enumerate(row)] for row in table.rows]
    data["chart_data"] = {
        "type": table.chart, "labels": [str(row[0]) for row in table.rows],
        # Durations are charted in minutes: an axis of 1,800 seconds reads badly.
        "datasets": [{"label": str(table.headings[i] if table.headings else table.columns[i])
                      + (" (min)" if i in table.durations else ""),
                      "data": [round((row[i] or 0) / 60, 1) if i in table.durations else (row[i] or 0)
                               for row in table.rows]}
                     for i in table.series],
    }
    return data


@portal_view(VIEW)
def dashboard(request: HttpRequest, tab: str = "conversations") -> HttpResponse:
    user = request.user
    if tab == "end-users":
        selectors.per_end_user_allowed_or_403(user)
    pending = services.catch_up_for_request(user.organisation_id)
    status, error, tables, f, average = 200, None, [], None, None
    try:
        f = selectors.parse_filters(user.organisation, request.GET)
        tables = [_display(t) for t in selectors.tab(tab, f, user)]
        if tab == "messages":
            average = selectors.average_messages(f)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        status, error = exc.status, exc
    query = urlencode(f.query()) if f else ""
    context = {
        "tab": tab, "tabs": [(key, label, reverse(TAB_URLS[key])) for key, label in selectors.tab_names(user).items()],
        "tables": tables, "filters": f, "error": error, "params": request.GET, "query": query,
        "export_url": reverse("stats:export"), "average_messages": average, "pending": pending, "today": clock.today(),
        "periods": [("today", _("Today")), ("7d", _("7 days")), ("30d", _("30 days")), ("custom", _("Custom"))],
        **_choices(user.organisation),
    }
    return render(request, "stats/dashboard.html", context, status=status)


@portal_view(VIEW)
def export(request: HttpRequest) -> HttpResponse:
    user = request.user
    key = request.GET.get("table", "")
    if key == "per_end_user":
        selectors.per_end_user_allowed_or_403(user)
    services.catch_up_for_request(user.organisation_id)
    try:
        f = selectors.parse_filters(user.organisation, request.GET)
        table = selectors.table(key, f, user)
    except ServiceError as exc:
        return HttpResponse(f"{exc.code}: {exc.message}\n", status=exc.status, content_type="text/plain")
    return exports.csv_response(table, f)
