"""Reads of the conversations context: inbox queues, one conversation, history search (CNV-5, CNV-7).

Every function is scoped to the caller's organisation; a conversation of another organisation
is simply not found (IAM-5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.http import Http404

from interact.accounts.models import User
from interact.admin_portal.selectors import general_settings
from interact.core.permissions import has_perm

from . import routing
from .models import CLOSED_STATUSES, OPEN_STATUSES, Conversation, Event, Message, Status, Visitor

PAGE_SIZE = 25


def conversation(user: User, pk: int) -> Conversation:
    found = (Conversation.objects.for_org(user.organisation).select_related("visitor", "channel", "assignee")
             .filter(pk=pk).first())
    if found is None or not may_view(user, found):
        raise Http404
    return found


def visitor(user: User, pk: int) -> Visitor:
    found = Visitor.objects.for_org(user.organisation).select_related("channel").filter(pk=pk).first()
    if found is None or not has_perm(user, "visitors.view"):
        raise Http404
    return found


def may_dispatch(user: User) -> bool:
    return has_perm(user, "conversations.dispatch") and general_settings(user.organisation).dispatch_enabled


def may_view(user: User, conv: Conversation) -> bool:
    """Open conversations: the assignee, anyone they are routed to, dispatchers. Closed ones: the
    end user who handled them, people with History, and (CNV-5) people who see visitor profiles."""
    if conv.organisation_id != user.organisation_id:
        return False
    if conv.status in CLOSED_STATUSES:
        return (conv.assignee_id == user.pk or has_perm(user, "history.view") or has_perm(user, "visitors.view"))
    if not has_perm(user, "conversations.handle"):
        return False
    if conv.assignee_id == user.pk or may_dispatch(user):
        return True
    if conv.status == Status.BOT:
        return may_watch_bot(user, conv)
    return conv.status == Status.QUEUED and routing.may_be_offered(user, conv)


def may_handover(user: User) -> bool:
    """BOT-2: pause and restart the bot (Bot plan, Administrators, Supervisors, Agents)."""
    from interact.core.plans import Feature, has_feature

    return (has_perm(user, "bots.handover") and has_perm(user, "conversations.handle")
            and has_feature(user.organisation, Feature.CHATBOT))


def may_watch_bot(user: User, conv: Conversation) -> bool:
    """Who reads a conversation the bot is having, ready to take over: handover holders who may
    answer its channel (a member of it when routing is on; everyone when it is off)."""
    if not may_handover(user):
        return False
    if may_dispatch(user) or not general_settings(user.organisation).routing_enabled:
        return True
    return conv.channel.members.filter(pk=user.pk).exists()


def inbox(user: User) -> dict[str, list[Conversation]]:
    """The lists of the inbox: mine (active), assigned to me, the queue I may take from and, on the
    Bot plan, the conversations the bot is having (BOT-2). Dispatchers also see every open
    conversation of the organisation."""
    base = (Conversation.objects.for_org(user.organisation).filter(status__in=OPEN_STATUSES)
            .select_related("visitor", "channel", "assignee", "offered_to"))
    mine = list(base.filter(status=Status.ACTIVE, assignee=user).order_by("-last_message_at"))
    assigned = list(base.filter(status=Status.ASSIGNED, assignee=user))
    dispatcher = may_dispatch(user)
    routing_on = general_settings(user.organisation).routing_enabled
    queued = [c for c in base.filter(status=Status.QUEUED)
              if not routing_on or dispatcher or routing.may_be_offered(user, c)]
    others = []
    if dispatcher:
        others = list(base.exclude(assignee=user).exclude(status__in=(Status.QUEUED, Status.BOT)))
    with_bot = []
    if may_handover(user):
        bot_qs = base.filter(status=Status.BOT).order_by("-last_message_at")
        if routing_on and not dispatcher:
            bot_qs = bot_qs.filter(channel__members=user)
        with_bot = list(bot_qs)
    return {"mine": mine, "assigned": assigned, "queue": queued, "others": others, "bot": with_bot}


def messages(conv: Conversation) -> QuerySet[Message]:
    return conv.messages.select_related("author").order_by("created_at", "id")


def previous_conversations(conv_or_visitor, limit: int = 20) -> list[Conversation]:
    """CNV-5: the same visitor's earlier conversations on the same channel (a visitor is per
    channel, so this is their whole history within the contract)."""
    if isinstance(conv_or_visitor, Conversation):
        visitor_id, exclude = conv_or_visitor.visitor_id, conv_or_visitor.pk
    else:
        visitor_id, exclude = conv_or_visitor.pk, None
    qs = (Conversation.objects.filter(visitor_id=visitor_id).exclude(pk=exclude)
          .select_related("assignee").prefetch_related("topics").order_by("-created_at"))
    return list(qs[:limit])


def events_after(organisation_id: int, after: int, *, conversation_ids: list[int] | None = None,
                 kinds: frozenset[str] | None = None, limit: int = 500) -> list[Event]:
    qs = Event.objects.filter(organisation_id=organisation_id, id__gt=after)
    condition = Q()
    if kinds:
        condition |= Q(kind__in=kinds)
    if conversation_ids:
        condition |= Q(conversation_id__in=conversation_ids)
    return list(qs.filter(condition).order_by("id")[:limit])


def last_event_id(organisation_id: int) -> int:
    """The resume cursor a freshly rendered inbox page starts from (CNV-9)."""
    latest = Event.objects.filter(organisation_id=organisation_id).order_by("-id").values_list("id", flat=True)
    return latest.first() or 0


def visitor_events_after(visitor_id: int, after: int, limit: int = 500) -> list[Event]:
    qs = Event.objects.filter(conversation__visitor_id=visitor_id, for_visitor=True)
    if after > 0:
        return list(qs.filter(id__gt=after).order_by("id")[:limit])
    current = (Conversation.objects.filter(visitor_id=visitor_id, status__in=OPEN_STATUSES)
               .values_list("pk", flat=True).first())
    if current is None:
        return []
    return list(qs.filter(conversation_id=current).order_by("id")[:limit])


def open_conversation_of(visitor_id: int) -> Conversation | None:
    return Conversation.objects.filter(visitor_id=visitor_id, status__in=OPEN_STATUSES).first()


def queue_position(conv: Conversation) -> int | None:
    if conv.status != Status.QUEUED:
        return None
    ahead = Conversation.objects.filter(organisation_id=conv.organisation_id, channel_id=conv.channel_id,
                                        status=Status.QUEUED).filter(
        Q(queued_at__lt=conv.queued_at) | Q(queued_at=conv.queued_at, id__lt=conv.pk)).count()
    return ahead + 1


# --- History (CNV-7) -----------------------------------------------------------------------------

@dataclass
class HistoryFilters:
    channel: int | None = None
    language: str = ""
    topic: int | None = None
    skill: int | None = None
    end_user: str = ""
    visitor: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    text: str = ""


def _name_filter(prefix: str, value: str) -> Q:
    condition = Q()
    for word in value.split():
        condition &= (Q(**{f"{prefix}first_name__icontains": word}) | Q(**{f"{prefix}last_name__icontains": word})
                      | (Q(**{f"{prefix}display_name__icontains": word}) if prefix == "visitor__" else Q()))
    return condition


class FullTextMatch(Func):
    """``to_tsvector('simple', body) @@ websearch_to_tsquery('simple', text)``, written exactly as the
    index expression so PostgreSQL uses the GIN index. 'simple' keeps words as typed: visitors
    write in French, Dutch, English and more, and no single language's stemming fits them all."""

    template = "(to_tsvector('simple'::regconfig, %(expressions)s))"
    arg_joiner = ") @@ websearch_to_tsquery('simple'::regconfig, "
    output_field = BooleanField()


def matching_message_conversations(organisation_id: int, text: str) -> QuerySet | RawSQL:
    """Conversation ids whose messages match ``text``: PostgreSQL full-text search (with the GIN
    index of migration 0002) in production, every word as a substring on SQLite.

    On PostgreSQL the ids come back as a subquery ending in ``OFFSET 0``. Without it, the planner
    may turn ``pk IN (...)`` into a semi-join: it walks conversations newest first and re-parses
    each one's messages with ``to_tsvector``, never touching the GIN index. That plan costs 1-2 s
    for a rare word on 1M messages (bench/history_search.py). The fence makes it run the GIN
    bitmap scan once and hash the ids, and keeps p99 under about 0.5 s on the same data."""
    messages_qs = Message.objects.filter(organisation_id=organisation_id)
    if connection.vendor == "postgresql":
        messages_qs = messages_qs.filter(FullTextMatch(F("body"), Value(text)))
        sql, params = messages_qs.values("conversation_id").query.sql_with_params()
        return RawSQL(f"{sql} OFFSET 0", params)  # noqa: S611 - ORM-compiled; the text stays a parameter
    else:
        for word in text.split():
            messages_qs = messages_qs.filter(body__icontains=word)
    return messages_qs.values("conversation_id")


def history(user: User, filters: HistoryFilters) -> QuerySet[Conversation]:
    qs = (Conversation.objects.for_org(user.organisation).filter(status__in=CLOSED_STATUSES)
          .select_related("visitor", "channel", "assignee").prefetch_related("topics", "skills"))
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.topic:
        qs = qs.filter(topics=filters.topic)
    if filters.skill:
        qs = qs.filter(skills=filters.skill)
    if filters.end_user.strip():
        qs = qs.filter(_name_filter("assignee__", filters.end_user))
    if filters.visitor.strip():
        qs = qs.filter(_name_filter("visitor__", filters.visitor))
    if filters.since:
        qs = qs.filter(ended_at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(ended_at__date__lte=filters.until)
    if filters.text.strip():
        qs = qs.filter(pk__in=matching_message_conversations(user.organisation_id, filters.text.strip()))
    return qs.distinct().order_by("-ended_at", "-id")
