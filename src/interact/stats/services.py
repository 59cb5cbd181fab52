"""Every write of the stats context: keeping the facts current (STA-2, STA-3).

An event that changes a conversation's course marks the conversation *stale* in the same
transaction (so a crash can never lose the change), and a job rebuilds its facts after commit.
The dashboard also rebuilds what is still stale for the organisation before it reads, so figures
are never behind the inbox, even when the worker is.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from interact.admin_portal.models import ClosureDay, OfficeHoursPeriod
from interact.conversations.models import Conversation, Event, Message
from interact.core import calendar, clock

from .business_time import Calendar
from .facts import LIFECYCLE_KINDS, Ev, Facts, Msg, compute
from .models import ConversationFact, HandlingFact, SkillFact, StaleFact, TopicFact

log = logging.getLogger(__name__)

CATCH_UP_LIMIT = 500
# Events after which a conversation's facts change: its course, and its skills (the skill filter).
STALE_KINDS = LIFECYCLE_KINDS | {"conversation.updated"}
# What a page or an API call rebuilds itself before reading (~8 ms each, bench/README.md); a
# larger backlog (after ``stats_rebuild``) is the worker's, and the page says figures are updating.
REQUEST_CATCH_UP = 60


def event_recorded(sender, instance: Event, created: bool = False, **kwargs) -> None:
    """``post_save`` of :class:`Event`: mark the conversation stale, rebuild it after commit."""
    if not created or instance.conversation_id is None or instance.kind not in STALE_KINDS:
        return
    mark_stale([instance.conversation_id], instance.organisation_id)
    conversation_id = instance.conversation_id

    def later() -> None:
        from .tasks import rebuild_conversation

        rebuild_conversation(conversation_id)

    transaction.on_commit(later)


def mark_stale(conversation_ids: list[int], organisation_id: int) -> None:
    now = clock.now()
    StaleFact.objects.bulk_create(
        [StaleFact(conversation_id=pk, organisation_id=organisation_id, marked_at=now) for pk in conversation_ids],
        ignore_conflicts=True)


def calendar_for(organisation_id: int, first: dt.date, last: dt.date) -> Calendar:
    """The organisation's office hours, with its closure days between ``first`` and ``last``."""
    periods = tuple(OfficeHoursPeriod.objects.filter(organisation_id=organisation_id)
                    .values_list("weekday", "opens", "closes"))
    closures = frozenset(ClosureDay.objects.filter(organisation_id=organisation_id,
                                                   date__range=(first - dt.timedelta(days=1),
                                                                last + dt.timedelta(days=1)))
                         .values_list("date", flat=True))
    return Calendar(periods, closures)


def rebuild(conversation_id: int) -> ConversationFact | None:
    """Rebuild one conversation's facts from its event log and messages.

    The stale mark goes first: an event recorded while this runs marks it again, so the next
    pass picks it up instead of this one forgetting it."""
    StaleFact.objects.filter(conversation_id=conversation_id).delete()
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return None
    try:
        return _rebuild(conversation)
    except IntegrityError:
        # Another process rebuilt it at the same moment (the job and a dashboard's catch-up): its
        # rows stand; mark it again so the next pass settles it for sure.
        mark_stale([conversation_id], conversation.organisation_id)
        return None
    except Exception:
        log.exception("stats rebuild failed", extra={"conversation": conversation_id})
        mark_stale([conversation_id], conversation.organisation_id)
        raise


def _rebuild(conversation: Conversation) -> ConversationFact:
    now = clock.now()
    events = [Ev(kind, at, (payload or {}).get("assignee") if kind == "conversation.taken" else None)
              for kind, at, payload in Event.objects.filter(conversation_id=conversation.pk,
                                                            kind__in=LIFECYCLE_KINDS)
              .order_by("id").values_list("kind", "created_at", "payload")]
    messages = [Msg(sender, at, author) for sender, at, author in
                Message.objects.filter(conversation_id=conversation.pk).values_list("sender", "created_at",
                                                                                    "author_id")]
    until = conversation.ended_at or now
    cal = calendar_for(conversation.organisation_id, calendar.local_wall_clock(conversation.created_at).date(),
                       calendar.local_wall_clock(until).date())
    facts = compute(events, messages, cal)
    with transaction.atomic():
        row = _store(conversation, facts, now)
        HandlingFact.objects.filter(conversation_id=conversation.pk).delete()
        HandlingFact.objects.bulk_create([
            HandlingFact(organisation_id=conversation.organisation_id, conversation_id=conversation.pk,
                         user_id=user_id, channel_id=conversation.channel_id, started_at=conversation.created_at,
                         closed=facts.closed, replies=part.replies, resolved=part.resolved,
                         handling=part.handling.wall if facts.closed else None,
                         handling_bh=part.handling.business if facts.closed else None,
                         first_response=part.first_response.wall if part.first_response else None,
                         first_response_bh=part.first_response.business if part.first_response else None,
                         resolution=facts.resolution.wall if part.resolved and facts.resolution else None,
                         resolution_bh=facts.resolution.business if part.resolved and facts.resolution else None)
            for user_id, part in facts.users.items()])
        TopicFact.objects.filter(conversation_id=conversation.pk).delete()
        TopicFact.objects.bulk_create([
            TopicFact(organisation_id=conversation.organisation_id, conversation_id=conversation.pk,
                      topic_id=topic_id, channel_id=conversation.channel_id, started_at=conversation.created_at)
            for topic_id in conversation.topics.values_list("pk", flat=True)])
        SkillFact.objects.filter(conversation_id=conversation.pk).delete()
        SkillFact.objects.bulk_create([
            SkillFact(organisation_id=conversation.organisation_id, conversation_id=conversation.pk,
                      skill_id=skill_id, started_at=conversation.created_at)
            for skill_id in conversation.skills.values_list("pk", flat=True)])
    return row


def _pair(duration) -> tuple[int | None, int | None]:
    return (duration.wall, duration.business) if duration is not None else (None, None)


def _store(conversation: Conversation, facts: Facts, now: dt.datetime) -> ConversationFact:
    local = calendar.local_wall_clock(conversation.created_at)
    first_response, first_response_bh = _pair(facts.first_response)
    wait, wait_bh = _pair(facts.wait)
    handling, handling_bh = _pair(facts.handling)
    resolution, resolution_bh = _pair(facts.resolution)
    counts = facts.messages
    row, _ = ConversationFact.objects.update_or_create(conversation_id=conversation.pk, defaults=dict(
        organisation_id=conversation.organisation_id, channel_id=conversation.channel_id,
        started_at=conversation.created_at, hour=local.hour, weekday=local.weekday(),
        closed=facts.closed, ended_at=facts.ended_at, away_sent=conversation.away_sent,
        with_bot=facts.with_bot, human=facts.human, handed_over=facts.handed_over, abandoned=facts.abandoned,
        requeues=facts.requeues, messages=sum(counts.values()), visitor_messages=counts.get("visitor", 0),
        agent_messages=counts.get("agent", 0), bot_messages=counts.get("bot", 0),
        system_messages=counts.get("system", 0), first_response=first_response,
        first_response_bh=first_response_bh, wait=wait, wait_bh=wait_bh, handling=handling,
        handling_bh=handling_bh, resolution=resolution, resolution_bh=resolution_bh,
        resolver_id=facts.resolver, computed_at=now))
    return row


def catch_up(organisation_id: int | None = None, limit: int = CATCH_UP_LIMIT) -> int:
    """Rebuild what is still marked stale (one organisation's, or everyone's); returns how many."""
    stale = StaleFact.objects.order_by("marked_at")
    if organisation_id is not None:
        stale = stale.filter(organisation_id=organisation_id)
    done = 0
    for conversation_id in list(stale.values_list("conversation_id", flat=True)[:limit]):
        try:
            rebuild(conversation_id)
        except Exception:  # noqa: S112 - logged in rebuild; one bad conversation must not hide the rest
            continue
        done += 1
    return done


def catch_up_for_request(organisation_id: int) -> int:
    """Before a dashboard read: rebuild the organisation's stale conversations when they are few
    (the usual case: events of the last seconds); returns how many are still pending."""
    pending = StaleFact.objects.filter(organisation_id=organisation_id).count()
    if 0 < pending <= REQUEST_CATCH_UP:
        catch_up(organisation_id, limit=REQUEST_CATCH_UP)
        pending = StaleFact.objects.filter(organisation_id=organisation_id).count()
    return pending


def mark_all(organisation_id: int | None = None) -> int:
    """Mark every conversation stale (after a change of definitions, or to backfill)."""
    conversations = Conversation.objects.all()
    if organisation_id is not None:
        conversations = conversations.filter(organisation_id=organisation_id)
    now, batch, marked = clock.now(), [], 0
    for org_id, pk in conversations.values_list("organisation_id", "pk").iterator(chunk_size=2000):
        batch.append(StaleFact(conversation_id=pk, organisation_id=org_id, marked_at=now))
        if len(batch) == 2000:
            StaleFact.objects.bulk_create(batch, ignore_conflicts=True)
            marked, batch = marked + len(batch), []
    StaleFact.objects.bulk_create(batch, ignore_conflicts=True)
    return marked + len(batch)
