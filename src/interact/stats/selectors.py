"""Reads of the stats context: the period and filters, and the tables of each tab (STA-1..3).

Every figure is attributed to the day a conversation was *received* (its start), so the tables of
one period add up and a figure never moves to another day when the conversation ends. Every query
is tenant-scoped (``for_org``) and reads only the facts (see :mod:`.models`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interact.accounts.models import Organisation, User
from interact.admin_portal.models import Skill, Topic
from interact.connectors.models import Channel
from interact.core import calendar, clock
from interact.core.errors import ServiceError
from interact.core.permissions import has_perm

from .models import ConversationFact, HandlingFact, SkillFact, TopicFact

MAX_DAYS = 731  # two years, a leap day included
PERIODS = {"today": 1, "7d": 7, "30d": 30}
PER_END_USER = "stats.per_end_user"


# --- period and filters ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: whose, when (local dates, both included), narrowed how."""

    organisation: Organisation
    first: dt.date
    last: dt.date
    period: str = "30d"
    channel: Channel | None = None
    topic: Topic | None = None
    skill: Skill | None = None
    business_hours: bool = False

    @property
    def start(self) -> dt.datetime:
        return calendar.first_instant_at_or_after(dt.datetime.combine(self.first, dt.time()))

    @property
    def end(self) -> dt.datetime:
        return calendar.first_instant_at_or_after(dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time()))

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for links to exports and the API."""
        params = {"period": self.period, "time": "business" if self.business_hours else "wall"}
        if self.period == "custom":
            params.update(start=self.first.isoformat(), end=self.last.isoformat())
        for name in ("channel", "topic", "skill"):
            value = getattr(self, name)
            if value is not None:
                params[name] = str(value.pk)
        return params


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ServiceError("invalid_date", _("Write dates as YYYY-MM-DD."), field=name) from None


def _pick(model, organisation: Organisation, raw: str | None, name: str):
    if raw in (None, ""):
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise ServiceError("invalid_filter", _("Unknown %(name)s.") % {"name": name}, field=name) from None
    found = model.objects.for_org(organisation).filter(pk=pk).first()
    if found is None:  # another organisation's id reads exactly like one that does not exist
        raise ServiceError("invalid_filter", _("Unknown %(name)s.") % {"name": name}, field=name)
    return found


def parse_filters(organisation: Organisation, params, today: dt.date | None = None) -> Filters:
    """Validate the query string at the edge: a clear 400 with a ``code`` for anything wrong."""
    today = today or clock.today()
    period = (params.get("period") or "30d").strip()
    if period in PERIODS:
        first, last = today - dt.timedelta(days=PERIODS[period] - 1), today
    elif period == "custom":
        if not params.get("start") or not params.get("end"):
            raise ServiceError("invalid_period", _("Choose a start and an end date."),
                               field="start" if not params.get("start") else "end")
        first, last = _date(params["start"], "start"), _date(params["end"], "end")
        if last < first:
            raise ServiceError("period_reversed", _("The end date comes before the start date."), field="end")
        if (last - first).days + 1 > MAX_DAYS:
            raise ServiceError("period_too_long", _("Choose a period of at most two years."), field="end")
    else:
        raise ServiceError("invalid_period", _("Choose today, 7 days, 30 days or custom dates."), field="period")
    time = (params.get("time") or "wall").strip()
    if time not in ("wall", "business"):
        raise ServiceError("invalid_time", _("Choose wall-clock time or office hours."), field="time")
    return Filters(organisation, first, last, period,
                   channel=_pick(Channel, organisation, params.get("channel"), "channel"),
                   topic=_pick(Topic, organisation, params.get("topic"), "topic"),
                   skill=_pick(Skill, organisation, params.get("skill"), "skill"),
                   business_hours=time == "business")


def _narrow(qs: QuerySet, f: Filters) -> QuerySet:
    qs = qs.filter(started_at__gte=f.start, started_at__lt=f.end)
    if f.channel is not None:
        qs = qs.filter(channel_id=f.channel.pk)
    if f.topic is not None:
        qs = qs.filter(conversation_id__in=TopicFact.objects.filter(topic_id=f.topic.pk, started_at__gte=f.start,
                                                                    started_at__lt=f.end)
                       .values("conversation_id"))
    if f.skill is not None:
        qs = qs.filter(conversation_id__in=SkillFact.objects.filter(skill_id=f.skill.pk, started_at__gte=f.start,
                                                                    started_at__lt=f.end)
                       .values("conversation_id"))
    return qs


def facts(f: Filters) -> QuerySet[ConversationFact]:
    return _narrow(ConversationFact.objects.for_org(f.organisation), f)


# --- tables ------------------------------------------------------------------------------------------

@dataclass
class Table:
    """One table of a tab, the chart drawn from it and its CSV export share this shape."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: str = "bar"  # bar, line, doughnut or "" (no chart)
    series: list[int] = field(default_factory=lambda: [1])  # columns charted against column 0
    durations: list[int] = field(default_factory=list)  # columns holding seconds
    note: str = ""
    headings: list[str] | None = None  # the page's column titles, when they differ (durations read as text)

    def as_dict(self) -> dict:
        return {"key": self.key, "title": str(self.title), "columns": [str(c) for c in self.columns],
                "rows": self.rows, "chart": self.chart, "series": self.series, "durations": self.durations,
                "note": str(self.note)}


def _avg(value) -> int | None:
    return None if value is None else round(value)


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _d(f: Filters, name: str) -> str:
    """The column of a duration in the chosen time: wall clock or office hours."""
    return f"{name}_bh" if f.business_hours else name


def per_channel(f: Filters) -> Table:
    names = dict(Channel.objects.for_org(f.organisation).values_list("pk", "name"))
    rows = [[names.get(r["channel_id"], "?"), r["n"]]
            for r in facts(f).values("channel_id").annotate(n=Count("pk")).order_by("-n", "channel_id")]
    return Table("per_channel", gettext_lazy("Conversations received per channel"),
                 [gettext_lazy("Channel"), gettext_lazy("Conversations")], rows)


def per_topic(f: Filters) -> Table:
    qs = _narrow(TopicFact.objects.for_org(f.organisation), f)
    names = dict(Topic.objects.for_org(f.organisation).values_list("pk", "name"))
    rows = [[names.get(r["topic_id"], "?"), r["n"]]
            for r in qs.values("topic_id").annotate(n=Count("pk")).order_by("-n", "topic_id")]
    return Table("per_topic", gettext_lazy("Conversations per topic"),
                 [gettext_lazy("Topic"), gettext_lazy("Conversations")], rows,
                 note=gettext_lazy("Topics are chosen when a conversation is archived; a conversation may have "
                                   "several."))


def by_hour(f: Filters) -> Table:
    counts = dict(facts(f).values("hour").annotate(n=Count("pk")).values_list("hour", "n"))
    return Table("by_hour", gettext_lazy("Conversations by hour of day"),
                 [gettext_lazy("Hour"), gettext_lazy("Conversations")],
                 [[f"{h:02d}:00", counts.get(h, 0)] for h in range(24)], chart="bar")


WEEKDAYS = [gettext_lazy("Monday"), gettext_lazy("Tuesday"), gettext_lazy("Wednesday"), gettext_lazy("Thursday"),
            gettext_lazy("Friday"), gettext_lazy("Saturday"), gettext_lazy("Sunday")]


def by_weekday(f: Filters) -> Table:
    counts = dict(facts(f).values("weekday").annotate(n=Count("pk")).values_list("weekday", "n"))
    return Table("by_weekday", gettext_lazy("Conversations by weekday"),
                 [gettext_lazy("Day"), gettext_lazy("Conversations")],
                 [[str(WEEKDAYS[d]), counts.get(d, 0)] for d in range(7)])


def _summary(f: Filters) -> dict:
    """Counts and averages of one period in one query (aliases must not be field names)."""
    raw = facts(f).aggregate(
        n_received=Count("pk"), n_closed=Count("pk", filter=Q(closed=True)),
        n_away=Count("pk", filter=Q(away_sent=True)), n_with_bot=Count("pk", filter=Q(with_bot=True)),
        n_bot_only=Count("pk", filter=Q(with_bot=True, human=False, closed=True)),
        n_handed_over=Count("pk", filter=Q(handed_over=True)),
        n_abandoned=Count("pk", filter=Q(abandoned=True)),
        n_answered=Count("pk", filter=Q(first_response__isnull=False)),
        n_resolved=Count("pk", filter=Q(resolver__isnull=False)),
        avg_first_response=Avg(_d(f, "first_response")), avg_wait=Avg(_d(f, "wait")),
        avg_handling=Avg(_d(f, "handling")), avg_resolution=Avg(_d(f, "resolution")),
    )
    return {key.split("_", 1)[1]: value for key, value in raw.items()}


def outcomes(f: Filters, summary: dict | None = None) -> Table:
    s = summary or _summary(f)
    received = s["received"]
    rows = [
        [str(gettext_lazy("Received")), received, 100.0 if received else 0.0],
        [str(gettext_lazy("Ended")), s["closed"], _share(s["closed"], received)],
        [str(gettext_lazy("Answered by an end user")), s["answered"], _share(s["answered"], received)],
        [str(gettext_lazy("Resolved by an end user")), s["resolved"], _share(s["resolved"], received)],
        [str(gettext_lazy("Abandoned while waiting")), s["abandoned"], _share(s["abandoned"], received)],
        [str(gettext_lazy("Away message sent")), s["away"], _share(s["away"], received)],
        [str(gettext_lazy("Started with the chatbot")), s["with_bot"], _share(s["with_bot"], received)],
        [str(gettext_lazy("Handled by the chatbot alone")), s["bot_only"], _share(s["bot_only"], s["with_bot"])],
        [str(gettext_lazy("Handed over by the chatbot")), s["handed_over"], _share(s["handed_over"], s["with_bot"])],
    ]
    return Table("outcomes", gettext_lazy("Outcomes"),
                 [gettext_lazy("Conversations"), gettext_lazy("Number"), gettext_lazy("Share (%)")], rows,
                 chart="", note=gettext_lazy("Chatbot shares are of the conversations that started with the "
                                             "chatbot; the others are of all conversations received."))


def durations(f: Filters, summary: dict | None = None) -> Table:
    s = summary or _summary(f)
    rows = [
        [str(gettext_lazy("Time to first response")), _avg(s["first_response"])],
        [str(gettext_lazy("Waiting time in queue")), _avg(s["wait"])],
        [str(gettext_lazy("Handling time")), _avg(s["handling"])],
        [str(gettext_lazy("Resolution time")), _avg(s["resolution"])],
    ]
    title = (gettext_lazy("Average durations (office hours)") if f.business_hours
             else gettext_lazy("Average durations (wall clock)"))
    return Table("durations", title, [gettext_lazy("Measure"), gettext_lazy("Average (seconds)")], rows,
                 durations=[1], headings=[gettext_lazy("Measure"), gettext_lazy("Average")])


MESSAGE_BUCKETS = [(1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, 50), (51, None)]


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}–{high}"


def messages_distribution(f: Filters) -> Table:
    qs = facts(f).filter(closed=True)
    buckets = {}
    for i, (low, high) in enumerate(MESSAGE_BUCKETS):
        cond = Q(messages__gte=low) if high is None else Q(messages__gte=low, messages__lte=high)
        buckets[f"b{i}"] = Count("pk", filter=cond)
    counts = qs.aggregate(**buckets)
    total = sum(counts.values())
    rows = [[_bucket_label(low, high), counts[f"b{i}"], _share(counts[f"b{i}"], total)]
            for i, (low, high) in enumerate(MESSAGE_BUCKETS)]
    return Table("messages_distribution", gettext_lazy("Messages per conversation"),
                 [gettext_lazy("Messages"), gettext_lazy("Conversations"), gettext_lazy("Share (%)")], rows,
                 note=gettext_lazy("Ended conversations only: an open conversation's count still grows."))


def messages_by_sender(f: Filters) -> Table:
    s = facts(f).filter(closed=True).aggregate(
        n=Count("pk"), visitor=Sum("visitor_messages"), agent=Sum("agent_messages"),
        bot=Sum("bot_messages"), system=Sum("system_messages"))
    n = s["n"] or 0

    def avg(v):
        return round((v or 0) / n, 2) if n else 0.0

    rows = [[str(label), s[key] or 0, avg(s[key])] for key, label in (
        ("visitor", gettext_lazy("Visitors")), ("agent", gettext_lazy("End users")),
        ("bot", gettext_lazy("Chatbot")), ("system", gettext_lazy("Automatic")))]
    return Table("messages_by_sender", gettext_lazy("Messages by sender"),
                 [gettext_lazy("Sender"), gettext_lazy("Messages"), gettext_lazy("Average per conversation")],
                 rows, chart="doughnut")


RESPONSE_BUCKETS = [(0, 60), (60, 300), (300, 900), (900, 3600), (3600, 14400), (14400, None)]
RESPONSE_LABELS = ["< 1 min", "1–5 min", "5–15 min", "15–60 min", "1–4 h", "> 4 h"]


def first_response_distribution(f: Filters) -> Table:
    column = _d(f, "first_response")
    buckets = {}
    for i, (low, high) in enumerate(RESPONSE_BUCKETS):
        cond = Q(**{f"{column}__gte": low}) if high is None else Q(**{f"{column}__gte": low, f"{column}__lt": high})
        buckets[f"b{i}"] = Count("pk", filter=cond)
    counts = facts(f).aggregate(**buckets)
    total = sum(counts.values())
    rows = [[RESPONSE_LABELS[i], counts[f"b{i}"], _share(counts[f"b{i}"], total)] for i in range(len(buckets))]
    return Table("first_response_distribution", gettext_lazy("Time to first response"),
                 [gettext_lazy("First response within"), gettext_lazy("Conversations"), gettext_lazy("Share (%)")],
                 rows)


def per_end_user_allowed(user: User) -> None:
    """Raise 403 unless ``user`` may see figures per end user (never Analysts)."""
    if not has_perm(user, PER_END_USER):
        raise ServiceError("forbidden", _("Statistics per end user are not available to your role."), status=403)


def per_end_user(f: Filters, user: User) -> Table:
    """Conversations per end user (STA-2) with their durations. Never for Analysts (403)."""
    per_end_user_allowed(user)
    qs = _narrow(HandlingFact.objects.for_org(f.organisation), f)
    rows_by_user = (qs.values("user_id").annotate(
        n=Count("pk"), n_resolved=Count("pk", filter=Q(resolved=True)), n_replies=Sum("replies"),
        avg_first_response=Avg(_d(f, "first_response")), avg_handling=Avg(_d(f, "handling")),
        avg_resolution=Avg(_d(f, "resolution"))).order_by("-n", "user_id"))
    names = {u.pk: u.full_name for u in User.objects.filter(organisation=f.organisation)}
    rows = [[names.get(r["user_id"], "?"), r["n"], r["n_resolved"], r["n_replies"] or 0,
             _avg(r["avg_first_response"]), _avg(r["avg_handling"]), _avg(r["avg_resolution"])]
            for r in rows_by_user]
    return Table("per_end_user", gettext_lazy("Conversations per end user"),
                 [gettext_lazy("End user"), gettext_lazy("Conversations"), gettext_lazy("Resolved"),
                  gettext_lazy("Replies"), gettext_lazy("Average first response (s)"),
                  gettext_lazy("Average handling (s)"), gettext_lazy("Average resolution (s)")], rows,
                 series=[1, 2], durations=[4, 5, 6],
                 headings=[gettext_lazy("End user"), gettext_lazy("Conversations"), gettext_lazy("Resolved"),
                           gettext_lazy("Replies"), gettext_lazy("Average first response"),
                           gettext_lazy("Average handling"), gettext_lazy("Average resolution")],
                 note=gettext_lazy("A conversation counts for every end user who took it; it is resolved by "
                                   "the one chatting when it ended."))


TABS = {
    "conversations": gettext_lazy("Conversations"),
    "messages": gettext_lazy("Messages"),
    "end-users": gettext_lazy("End users"),
}


def tab(name: str, f: Filters, user: User) -> list[Table]:
    """The tables of one tab, in the order the page shows them."""
    if name == "conversations":
        summary = _summary(f)
        return [per_channel(f), per_topic(f), by_hour(f), by_weekday(f), outcomes(f, summary),
                durations(f, summary)]
    if name == "messages":
        return [messages_distribution(f), messages_by_sender(f), first_response_distribution(f)]
    if name == "end-users":
        return [per_end_user(f, user)]
    raise ServiceError("unknown_tab", _("Unknown tab."), field="tab", status=404)


TABLES = {
    "per_channel": per_channel, "per_topic": per_topic, "by_hour": by_hour, "by_weekday": by_weekday,
    "outcomes": outcomes, "durations": durations, "messages_distribution": messages_distribution,
    "messages_by_sender": messages_by_sender, "first_response_distribution": first_response_distribution,
}


def table(key: str, f: Filters, user: User) -> Table:
    """One table by its key, for the CSV export."""
    if key == "per_end_user":
        return per_end_user(f, user)
    if key not in TABLES:
        raise ServiceError("unknown_table", _("Unknown table."), field="table", status=404)
    return TABLES[key](f)


def average_messages(f: Filters) -> float | None:
    """The average of messages per conversation, over ended conversations (STA-2)."""
    s = facts(f).filter(closed=True).aggregate(n=Count("pk"), total=Sum("messages"))
    return round(s["total"] / s["n"], 2) if s["n"] else None


def tab_names(user: User) -> dict:
    """The tabs this user sees: End users only with ``stats.per_end_user``."""
    return {k: v for k, v in TABS.items() if k != "end-users" or has_perm(user, PER_END_USER)}


def per_end_user_allowed_or_403(user: User) -> None:
    """Pages: the portal's own 403 page rather than a service error."""
    from django.core.exceptions import PermissionDenied

    if not has_perm(user, PER_END_USER):
        raise PermissionDenied
