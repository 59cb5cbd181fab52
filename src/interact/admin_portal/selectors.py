"""Reads of portal administration, always scoped to one organisation."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.functions import Lower

from interact.accounts.models import Organisation, User
from interact.connectors.models import Channel
from interact.core import calendar, clock

from .models import ClosureDay, GeneralSettings, Language, OfficeHoursPeriod, Skill, Topic

MAX_ID = 2**31 - 1


def by_id(queryset: QuerySet, pk: int) -> Model:
    """``queryset.get(pk=pk)``, also raising ``DoesNotExist`` for ids no database column can hold,
    so an absurd id answers 404 like any unknown (or other organisation's) id."""
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise queryset.model.DoesNotExist
    return queryset.get(pk=pk)


def general_settings(org: Organisation) -> GeneralSettings:
    settings_row, _created = GeneralSettings.objects.get_or_create(organisation=org)
    return settings_row


def _named(queryset: QuerySet, query: str, sort: str) -> QuerySet:
    query = (query or "").strip()[:100]
    if query:
        queryset = queryset.filter(name__icontains=query)
    return queryset.order_by(Lower("name").desc() if sort == "-name" else Lower("name"), "id")


def skills(org: Organisation, query: str = "", sort: str = "name") -> QuerySet[Skill]:
    """Search by name; ``sort`` is ``name`` or ``-name`` (ADM-2)."""
    return _named(Skill.objects.for_org(org).prefetch_related("members"), query, sort)


def skill(org: Organisation, pk: int) -> Skill:
    return by_id(Skill.objects.for_org(org).prefetch_related("members"), pk)


def topics(org: Organisation, query: str = "", sort: str = "name") -> QuerySet[Topic]:
    return _named(Topic.objects.for_org(org), query, sort)


def topic(org: Organisation, pk: int) -> Topic:
    return by_id(Topic.objects.for_org(org), pk)


def eligible_members(org: Organisation) -> QuerySet[User]:
    """Who can hold a skill or a channel: active Administrators, Supervisors and Agents (003 §3.1.2)."""
    return User.objects.filter(organisation=org, is_active=True, role__in=["administrator", "supervisor", "agent"])


def languages(org: Organisation) -> QuerySet[Language]:
    return Language.objects.for_org(org)


def language(org: Organisation, code: str) -> Language:
    return Language.objects.for_org(org).get(code=code[:8])


def periods(org: Organisation) -> QuerySet[OfficeHoursPeriod]:
    return OfficeHoursPeriod.objects.for_org(org)


def period(org: Organisation, pk: int) -> OfficeHoursPeriod:
    return by_id(OfficeHoursPeriod.objects.for_org(org), pk)


def closures(org: Organisation, year: int | None = None) -> QuerySet[ClosureDay]:
    rows = ClosureDay.objects.for_org(org)
    return rows.filter(date__year=year) if year else rows


def closure(org: Organisation, pk: int) -> ClosureDay:
    return by_id(ClosureDay.objects.for_org(org), pk)


CALENDAR_CACHE_SECONDS = 300


def _calendar_key(org: Organisation) -> str:
    version = cache.get_or_set(f"calendar-version:{org.pk}", 0, timeout=None)
    return f"calendar:{org.pk}:{int(org.created_at.timestamp())}:{version}"


def forget_calendar(org_id: int) -> None:
    """Office hours or closure days changed: the next read loads them again. Once now and once
    after commit, so a read between the two cannot keep the old rows under the new version."""

    def bump() -> None:
        try:
            cache.incr(f"calendar-version:{org_id}")
        except ValueError:
            cache.set(f"calendar-version:{org_id}", 1, timeout=None)

    bump()
    transaction.on_commit(bump)


def calendar_of(org: Organisation, around: dt.date, days: int = 1) -> tuple[list[calendar.Period], set[dt.date]]:
    """The organisation's periods, and its closure days within ``days`` of ``around``.

    Every visitor's hello and every new conversation asks this, so the rows are cached (Redis in
    production) until office hours or closure days change (see ``apps.py``)."""
    key = f"{_calendar_key(org)}:{around.isoformat()}:{days}"
    cached = cache.get(key)
    if cached is not None:
        return cached[0], set(cached[1])
    spans = [(p.weekday, p.opens, p.closes) for p in periods(org)]
    window = dt.timedelta(days=days)
    closed = set(ClosureDay.objects.for_org(org).filter(date__range=(around - window, around + window))
                 .values_list("date", flat=True))
    cache.set(key, (spans, sorted(closed)), timeout=CALENDAR_CACHE_SECONDS)
    return spans, closed


def is_open_now(org: Organisation, at: dt.datetime | None = None) -> bool:
    """Whether the organisation is within office hours at ``at`` (default: the clock's now), Brussels time.
    Outside them, visitors get the channel's away message (ADM-6)."""
    at = at or clock.now()
    spans, closed = calendar_of(org, calendar.local_wall_clock(at).date())
    return calendar.is_open(at, spans, closed)


def next_change(org: Organisation, at: dt.datetime | None = None, horizon_days: int = 60) -> dt.datetime | None:
    """When the organisation next opens (if closed) or closes (if open)."""
    at = at or clock.now()
    spans, closed = calendar_of(org, calendar.local_wall_clock(at).date(), days=horizon_days + 1)
    return calendar.next_change(at, spans, closed, horizon_days=horizon_days)


def configuration_of(org: Organisation) -> dict:
    """The configuration part of a backup (003 §4.2 step 3, STO-2): everything but content."""
    gs = general_settings(org)
    return {
        "settings": {"routing_enabled": gs.routing_enabled, "dispatch_enabled": gs.dispatch_enabled},
        "languages": list(Language.objects.for_org(org).values_list("code", flat=True)),
        "skills": [
            {"name": s.name, "description": s.description, "members": sorted(m.email for m in s.members.all())}
            for s in Skill.objects.for_org(org).prefetch_related("members")
        ],
        "topics": list(Topic.objects.for_org(org).values("name", "description")),
        "office_hours": [
            {"weekday": p.weekday, "opens": p.opens.isoformat(), "closes": p.closes.isoformat()}
            for p in OfficeHoursPeriod.objects.for_org(org)
        ],
        "closure_days": [
            {"date": d.date.isoformat(), "label": d.label} for d in ClosureDay.objects.for_org(org)
        ],
        "channels": [
            {"kind": c.kind, "name": c.name, "away_message": c.away_message}
            for c in Channel.objects.for_org(org)
        ],
    }
