"""Every write of the conversations context (CNV-1..8, CNV-10).

Each function is one use case in one transaction; the rows it touches are locked with
``select_for_update`` so two end users clicking "take" at once cannot both win, and events go
out only after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from interact.accounts.models import User
from interact.admin_portal.models import Skill, Topic
from interact.admin_portal.selectors import general_settings, is_open_now
from interact.connectors.models import Channel, ChannelKind
from interact.core import clock
from interact.core.errors import Conflict, ServiceError
from interact.core.permissions import has_perm

from . import events, routing
from .models import (
    MESSAGE_MAX_CHARS,
    OPEN_STATUSES,
    Conversation,
    Delivery,
    Message,
    Presence,
    SenderKind,
    Status,
    Visitor,
    VisitorNote,
)

log = logging.getLogger(__name__)


# --- payloads shared by events, the API and the widget -------------------------------------------

def message_payload(message: Message) -> dict:
    author = ""
    if message.sender == SenderKind.AGENT and message.author_id:
        author = message.author.first_name
    return {
        "id": message.pk, "conversation": message.conversation_id, "sender": message.sender, "author": author,
        "body": message.body, "created_at": message.created_at.isoformat(), "client_id": message.client_id,
        "delivery": message.delivery, "meta": message.meta,
        "edited": message.edited_at is not None, "removed": message.removed_at is not None,
    }


def conversation_payload(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk, "status": conversation.status, "channel": conversation.channel_id,
        "visitor": conversation.visitor_id, "visitor_name": str(conversation.visitor.name),
        "language": conversation.language,
        "assignee": conversation.assignee_id,
        "assignee_name": conversation.assignee.first_name if conversation.assignee_id else "",
        "offered_to": conversation.offered_to_id,
        "queued_at": conversation.queued_at.isoformat(),
        "last_message_at": conversation.last_message_at.isoformat(),
    }


# --- validation at the edge ----------------------------------------------------------------------

def clean_body(body: object) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ServiceError("empty_message", _("A message cannot be empty."), field="body")
    body = body.strip()
    if len(body) > MESSAGE_MAX_CHARS:
        raise ServiceError("message_too_long",
                           _("A message is at most %(max)s characters.") % {"max": MESSAGE_MAX_CHARS}, field="body")
    return body


def _clean_key(value: str | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    limit = 64 if field == "client_id" else 200
    if not isinstance(value, str) or len(value) > limit:
        raise ServiceError(f"invalid_{field}", _("This identifier is not valid."), field=field)
    return value


# --- inbound (CNV-1, CNV-8, CNV-10) --------------------------------------------------------------

@dataclass
class Received:
    message: Message
    created: bool
    event_id: int | None


def _existing(channel: Channel, visitor: Visitor, client_id: str | None, external_id: str | None) -> Message | None:
    """The stored copy of a retried message. An id that belongs to someone else's message is refused,
    never answered with that message (it is not theirs to see, even as an id)."""
    found = None
    if client_id:
        found = Message.objects.filter(channel=channel, client_id=client_id).select_related("conversation").order_by(
            "pk").first()
    if found is None and external_id:
        found = Message.objects.filter(channel=channel, external_id=external_id).select_related(
            "conversation").order_by("pk").first()
    if found is not None and found.conversation.visitor_id != visitor.pk:
        raise Conflict("duplicate_id", _("This message id is already used; send it with a new id."),
                       field="client_id" if client_id else "external_id")
    return found


def _open_conversation(visitor: Visitor, now: dt.datetime, channel: Channel) -> tuple[Conversation, bool]:
    conversation = (Conversation.objects.select_for_update()
                    .filter(visitor=visitor, status__in=OPEN_STATUSES).order_by("pk").first())
    if conversation:
        return conversation, False
    from interact.bots.selectors import bot_answers

    # BOT-2: a channel's bot answers first, unless it is paused for this visitor.
    status = Status.BOT if bot_answers(channel, visitor) else Status.QUEUED
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                organisation_id=visitor.organisation_id, channel_id=visitor.channel_id, visitor=visitor,
                status=status, language=visitor.language, created_at=now, queued_at=now,
                last_message_at=now)
    except IntegrityError:  # the one-open-conversation constraint: another process opened it first
        return Conversation.objects.select_for_update().get(visitor=visitor, status__in=OPEN_STATUSES), False
    return conversation, True


def receive_message(channel: Channel, visitor: Visitor, body: str, *, client_id: str | None = None,
                    external_id: str | None = None, sender: str = SenderKind.VISITOR,
                    sent_at: dt.datetime | None = None, meta: dict | None = None) -> Received:
    """Store a visitor's message in their open conversation, opening one in the queue if needed.

    Idempotent by ``client_id`` (the widget) or ``external_id`` (a network's message id): a retry
    returns the stored message instead of a copy. Returns only after the transaction commits,
    so the caller acknowledges a message that is durably stored.

    ``sent_at`` is the network's own timestamp: webhooks arrive out of order, and the
    conversation shows messages in the order people wrote them (CHN-2). It never lies in the
    future, whatever the network's clock says."""
    body = clean_body(body)
    client_id = _clean_key(client_id, "client_id")
    external_id = _clean_key(external_id, "external_id")
    # Insert first, look up only when the unique constraint refuses: a retry is rare, and this
    # keeps the common path one query shorter (bench/README.md).
    try:
        with transaction.atomic():
            return _receive(channel, visitor, body, client_id, external_id, sender, sent_at, meta or {})
    except IntegrityError:
        existing = _existing(channel, visitor, client_id, external_id)
        if existing is None:
            raise
        return Received(existing, False, None)


def _receive(channel, visitor, body, client_id, external_id, sender, sent_at, meta) -> Received:
    now = clock.now()
    written_at = min(sent_at, now) if sent_at is not None else now
    conversation, opened = _open_conversation(visitor, now, channel)
    message = Message.objects.create(
        organisation_id=channel.organisation_id, channel=channel, conversation=conversation, sender=sender,
        body=body, client_id=client_id, external_id=external_id, created_at=written_at, meta=meta)
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=Greatest("last_message_at", Value(written_at)), message_count=F("message_count") + 1)
    conversation.last_message_at = max(conversation.last_message_at, written_at)
    with_bot = conversation.status == Status.BOT
    if opened:
        events.record(conversation, "conversation.bot" if with_bot else "conversation.queued",
                      conversation_payload(conversation))
    event = events.record(conversation, "message.created", message_payload(message))
    if opened and not with_bot:
        _send_away_message_if_closed(conversation, channel, now)
        _offer(conversation, now)
        announce_queue_position(conversation, channel)
    if with_bot and sender == SenderKind.VISITOR:
        from interact.bots.tasks import forward_to_bot

        transaction.on_commit(lambda: forward_to_bot(message.pk))
    return Received(message, True, event.id)


def _send_away_message_if_closed(conversation: Conversation, channel: Channel, now: dt.datetime) -> None:
    """CNV-8: once per conversation opening, outside office hours or on a closure day."""
    if conversation.away_sent or not channel.away_message.strip():
        return
    if is_open_now(conversation.organisation, now):
        return
    Conversation.objects.filter(pk=conversation.pk).update(away_sent=True)
    conversation.away_sent = True
    _store_outbound(conversation, channel.away_message.strip(), sender=SenderKind.SYSTEM, author=None, now=now)


def _store_outbound(conversation: Conversation, body: str, *, sender: str, author: User | None,
                    now: dt.datetime, client_id: str | None = None, meta: dict | None = None) -> Message:
    """An outbound message, delivered by the channel's connector once committed. ``meta`` keeps
    what a bot sent besides text (buttons, an image)."""
    message = Message.objects.create(
        organisation_id=conversation.organisation_id, channel_id=conversation.channel_id,
        conversation=conversation, sender=sender, author=author, body=body, client_id=client_id,
        created_at=now, delivery=Delivery.PENDING, meta=meta or {})
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now,
                                                           message_count=F("message_count") + 1)
    events.record(conversation, "message.created", message_payload(message))
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message(message.pk))
    return message


# --- the queue (CNV-1..4) ------------------------------------------------------------------------

def _locked(conversation: Conversation) -> Conversation:
    return (Conversation.objects.select_for_update(of=("self",)).select_related("visitor", "assignee")
            .get(pk=conversation.pk))


def _ensure_handler(user: User) -> None:
    if not has_perm(user, "conversations.handle"):
        raise ServiceError("forbidden", _("You may not handle conversations."), status=403)


def _ensure_open(conversation: Conversation) -> None:
    if conversation.status not in OPEN_STATUSES:
        raise Conflict("conversation_closed", _("This conversation has ended."))


def _ensure_not_with_bot(conversation: Conversation) -> None:
    """BOT-2: people join a bot's conversation only by pausing the bot, so the bot stops talking
    and the next conversation does not start with it again behind their back."""
    if conversation.status == Status.BOT:
        raise Conflict("with_bot", _("The chatbot is answering this conversation: pause the bot to take over."))


def _offer(conversation: Conversation, now: dt.datetime, *, exclude: Iterable[int] = ()) -> User | None:
    """Offer a queued conversation to the best matching end user, when routing is on."""
    settings = general_settings(conversation.organisation)
    if not settings.routing_enabled:
        return None
    chosen = routing.choose(conversation, now, exclude=set(exclude))
    Conversation.objects.filter(pk=conversation.pk).update(offered_to=chosen, offered_at=now if chosen else None)
    conversation.offered_to = chosen
    conversation.offered_at = now if chosen else None
    if chosen:
        events.record(conversation, "conversation.offered", conversation_payload(conversation),
                      notify_user=chosen.pk)
    return chosen


@transaction.atomic
def take(conversation: Conversation, user: User) -> Conversation:
    """CNV-1: the end user takes a conversation from their queue and starts chatting."""
    _ensure_handler(user)
    conversation = _locked(conversation)
    _ensure_open(conversation)
    if conversation.status == Status.BOT:  # taking over from the bot is pausing it (BOT-2)
        from interact.bots.services import pause

        return pause(conversation, user)
    if conversation.status == Status.ACTIVE:
        if conversation.assignee_id == user.pk:
            return conversation
        raise Conflict("already_taken", _("%(name)s already took this conversation.")
                       % {"name": conversation.assignee.first_name})
    if conversation.status == Status.ASSIGNED and conversation.assignee_id != user.pk:
        raise Conflict("assigned_to_someone_else", _("This conversation is assigned to %(name)s.")
                       % {"name": conversation.assignee.first_name})
    if conversation.status == Status.QUEUED and not routing.may_be_offered(user, conversation):
        raise ServiceError("not_routed_to_you", _("This conversation is routed to other end users."), status=403)
    start_chat(conversation, user)
    broadcast_queue_positions(conversation.organisation_id)
    return conversation


def start_chat(conversation: Conversation, user: User) -> None:
    """The end user is now chatting in this (locked) conversation: from the queue, from their
    assigned list, or from the bot they paused. The visitor's widget shows who joined."""
    now = clock.now()
    conversation.status = Status.ACTIVE
    conversation.assignee = user
    conversation.taken_at = now
    conversation.assigned_at = conversation.assigned_at or now
    conversation.offered_to = None
    conversation.offered_at = None
    conversation.save(update_fields=["status", "assignee", "taken_at", "assigned_at", "offered_to", "offered_at"])
    events.record(conversation, "conversation.taken", {**conversation_payload(conversation),
                                                       "agent": user.first_name})


def _ensure_may_assign(user: User) -> None:
    _ensure_handler(user)


@transaction.atomic
def assign(conversation: Conversation, target: User, by: User) -> Conversation:
    """CNV-3: move the conversation to one end user's queue; they take it from there."""
    _ensure_may_assign(by)
    if target.organisation_id != conversation.organisation_id or not has_perm(target, "conversations.handle"):
        raise ServiceError("invalid_assignee", _("Choose an Administrator, Supervisor or Agent of your organisation."),
                           field="assignee")
    conversation = _locked(conversation)
    _ensure_open(conversation)
    _ensure_not_with_bot(conversation)
    if conversation.status == Status.ACTIVE and conversation.assignee_id not in (by.pk, None) \
            and not has_perm(by, "conversations.dispatch"):
        raise ServiceError("forbidden", _("Only the end user chatting, an Administrator or a Supervisor can "
                                          "hand this conversation over."), status=403)
    now = clock.now()
    conversation.status = Status.ASSIGNED
    conversation.assignee = target
    conversation.assigned_at = now
    conversation.offered_to = None
    conversation.offered_at = None
    conversation.save(update_fields=["status", "assignee", "assigned_at", "offered_to", "offered_at"])
    events.record(conversation, "conversation.assigned", {**conversation_payload(conversation), "by": by.pk},
                  notify_user=target.pk)
    broadcast_queue_positions(conversation.organisation_id)
    return conversation


@transaction.atomic
def set_skills(conversation: Conversation, skills: Iterable[Skill], by: User) -> Conversation:
    """CNV-2, CNV-4: the skills a conversation needs; changing them routes it again.

    An active conversation stays with its end user if they still match; otherwise it goes back to
    the queue and is offered to someone who does."""
    _ensure_handler(by)
    conversation = _locked(conversation)
    _ensure_open(conversation)
    _ensure_not_with_bot(conversation)
    skills = list(skills)
    if any(skill.organisation_id != conversation.organisation_id for skill in skills):
        raise ServiceError("invalid_skill", _("Unknown skill."), field="skills")
    conversation.skills.set(skills)
    now = clock.now()
    keeps = conversation.assignee_id and routing.may_be_offered(conversation.assignee, conversation)
    if conversation.status == Status.QUEUED or not keeps:
        if conversation.status != Status.QUEUED:
            conversation.queued_at = now
        conversation.status = Status.QUEUED
        conversation.assignee = None
        conversation.save(update_fields=["status", "assignee", "queued_at"])
        events.record(conversation, "conversation.requeued", {**conversation_payload(conversation),
                                                              "skills": [s.pk for s in skills]})
        _offer(conversation, now)
        broadcast_queue_positions(conversation.organisation_id)
    else:
        events.record(conversation, "conversation.updated", {**conversation_payload(conversation),
                                                             "skills": [s.pk for s in skills]})
    return conversation


@transaction.atomic
def release(conversation: Conversation, by: User) -> Conversation:
    """Put a conversation back in the queue (the end user cannot help after all)."""
    _ensure_handler(by)
    conversation = _locked(conversation)
    _ensure_open(conversation)
    _ensure_not_with_bot(conversation)
    if conversation.assignee_id not in (by.pk, None) and not has_perm(by, "conversations.dispatch"):
        raise ServiceError("forbidden", _("This conversation is someone else's."), status=403)
    now = clock.now()
    conversation.status = Status.QUEUED
    conversation.assignee = None
    conversation.declined_by = sorted(set(conversation.declined_by) | {by.pk})
    conversation.save(update_fields=["status", "assignee", "declined_by"])
    events.record(conversation, "conversation.requeued", conversation_payload(conversation))
    _offer(conversation, now, exclude=conversation.declined_by)
    broadcast_queue_positions(conversation.organisation_id)
    return conversation


def reoffer_expired(now: dt.datetime | None = None) -> int:
    """Offers not taken in time go to the next matching end user (CNV-2). Run every minute."""
    now = now or clock.now()
    moved = 0
    for conversation in (Conversation.objects.filter(status=Status.QUEUED, offered_to__isnull=False)
                         .select_related("organisation")):
        timeout = dt.timedelta(seconds=general_settings(conversation.organisation).offer_timeout_seconds)
        if conversation.offered_at and conversation.offered_at + timeout > now:
            continue
        with transaction.atomic():
            locked = _locked(conversation)
            if locked.status != Status.QUEUED or locked.offered_to_id is None:
                continue
            locked.declined_by = sorted(set(locked.declined_by) | {locked.offered_to_id})
            locked.save(update_fields=["declined_by"])
            _offer(locked, now, exclude=locked.declined_by)
            moved += 1
    return moved


def forget_stale_presence(now: dt.datetime | None = None) -> int:
    """Rows of sockets whose process died without saying goodbye; routing already ignores them
    after :data:`routing.PRESENCE_TTL`, this keeps the table small."""
    now = now or clock.now()
    deleted, _ = Presence.objects.filter(seen_at__lt=now - 10 * routing.PRESENCE_TTL).delete()
    return deleted


def offer_waiting(user: User) -> None:
    """An end user came online: offer them what waits without an offer (routing on)."""
    now = clock.now()
    for conversation in Conversation.objects.filter(organisation_id=user.organisation_id, status=Status.QUEUED,
                                                    offered_to__isnull=True).select_related("organisation")[:20]:
        with transaction.atomic():
            locked = _locked(conversation)
            if locked.status == Status.QUEUED and locked.offered_to_id is None:
                _offer(locked, now, exclude=locked.declined_by)


# --- chatting ------------------------------------------------------------------------------------

def send_reply(conversation: Conversation, user: User, body: str, *, client_id: str | None = None) -> Message:
    """An end user's reply. Replying to a waiting conversation takes it first; an active one
    belongs to the end user who took it."""
    body = clean_body(body)
    client_id = _clean_key(client_id, "client_id")
    if client_id:
        found = Message.objects.filter(channel_id=conversation.channel_id, client_id=client_id).first()
        if found and (found.conversation_id != conversation.pk or found.author_id != user.pk):
            raise Conflict("duplicate_id", _("This message id is already used; send it with a new id."),
                           field="client_id")
        if found:
            return found
    with transaction.atomic():
        locked = _locked(conversation)
        _ensure_open(locked)
        if locked.status != Status.ACTIVE or locked.assignee_id != user.pk:
            locked = take(locked, user)
        now = clock.now()
        message = _store_outbound(locked, body, sender=SenderKind.AGENT, author=user, now=now, client_id=client_id)
        if locked.first_response_at is None:
            Conversation.objects.filter(pk=locked.pk).update(first_response_at=now)
        return message


@transaction.atomic
def end(conversation: Conversation, by: User | None) -> Conversation:
    """CNV-6: the conversation is over; it now shows in History. ``by=None`` is the visitor."""
    if by is not None:
        _ensure_handler(by)
    conversation = _locked(conversation)
    _ensure_open(conversation)
    if by is not None and conversation.assignee_id not in (by.pk, None) and not has_perm(by, "conversations.dispatch"):
        raise ServiceError("forbidden", _("This conversation is someone else's."), status=403)
    was_queued = conversation.status == Status.QUEUED
    conversation.status = Status.ENDED
    conversation.ended_at = clock.now()
    conversation.offered_to = None
    conversation.save(update_fields=["status", "ended_at", "offered_to"])
    events.record(conversation, "conversation.ended", {**conversation_payload(conversation),
                                                       "by": "visitor" if by is None else "agent"})
    if was_queued:
        broadcast_queue_positions(conversation.organisation_id)
    return conversation


@transaction.atomic
def archive(conversation: Conversation, topics: Iterable[Topic], by: User) -> Conversation:
    """CNV-6: file an ended conversation under one or more topics."""
    _ensure_handler(by)
    topics = list(topics)
    if not topics:
        raise ServiceError("topic_required", _("Choose at least one topic."), field="topics")
    if any(topic.organisation_id != conversation.organisation_id for topic in topics):
        raise ServiceError("invalid_topic", _("Unknown topic."), field="topics")
    conversation = _locked(conversation)
    if conversation.status in OPEN_STATUSES:
        raise Conflict("conversation_open", _("End the conversation before archiving it."))
    conversation.topics.set(topics)
    conversation.status = Status.ARCHIVED
    conversation.archived_at = conversation.archived_at or clock.now()
    conversation.save(update_fields=["status", "archived_at"])
    events.record(conversation, "conversation.archived", {**conversation_payload(conversation),
                                                          "topics": [t.pk for t in topics]})
    return conversation


# --- visitor profile (CNV-5) ---------------------------------------------------------------------

PROFILE_FIELDS = ("first_name", "last_name", "email", "birth_date", "phone", "mobile")


@transaction.atomic
def update_visitor(visitor: Visitor, by: User, **fields) -> Visitor:
    if not has_perm(by, "visitors.view"):
        raise ServiceError("forbidden", _("You may not edit visitor profiles."), status=403)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError("unknown_field", _("Unknown field."), field=sorted(unknown)[0])
    for name, value in fields.items():
        setattr(visitor, name, value if value is not None else ("" if name != "birth_date" else None))
    if visitor.birth_date and visitor.birth_date > clock.today():
        raise ServiceError("invalid_birth_date", _("A birth date cannot be in the future."), field="birth_date")
    try:
        visitor.full_clean(exclude=["organisation", "channel", "created_at", "last_seen_at", "attributes",
                                    "external_id", "display_name", "language", "verified"])
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        raise ServiceError(f"invalid_{field}", messages[0], field=field) from None
    visitor.save(update_fields=list(fields))
    for conversation in visitor.conversations.filter(status__in=OPEN_STATUSES):
        events.record(conversation, "visitor.updated", {"visitor": visitor.pk, "name": str(visitor.name)})
    return visitor


@transaction.atomic
def add_note(visitor: Visitor, by: User, body: str) -> VisitorNote:
    if not has_perm(by, "visitors.view"):
        raise ServiceError("forbidden", _("You may not write notes."), status=403)
    if not isinstance(body, str) or not body.strip():
        raise ServiceError("empty_note", _("A note cannot be empty."), field="body")
    if len(body) > 5000:
        raise ServiceError("note_too_long", _("A note is at most 5000 characters."), field="body")
    return VisitorNote.objects.create(organisation_id=visitor.organisation_id, visitor=visitor, author=by,
                                      body=body.strip(), created_at=clock.now())


# --- delivery (CNV-10) ---------------------------------------------------------------------------

@transaction.atomic
def retry_delivery(message: Message, by: User) -> Message:
    _ensure_handler(by)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.delivery != Delivery.FAILED:
        raise Conflict("not_failed", _("Only a message that was not delivered can be sent again."))
    message.delivery = Delivery.PENDING
    message.delivery_attempts = 0
    message.delivery_error = ""
    message.save(update_fields=["delivery", "delivery_attempts", "delivery_error"])
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message(message.pk))
    return message


def mark_delivery(message_id: int, *, ok: bool, error: str = "", external_id: str | None = None,
                  final: bool = False) -> None:
    with transaction.atomic():
        message = Message.objects.select_for_update(of=("self",)).select_related("conversation").get(pk=message_id)
        message.delivery_attempts += 1
        if ok:
            message.delivery = Delivery.SENT
            message.delivery_error = ""
            if external_id:
                message.external_id = external_id
        else:
            message.delivery_error = error[:1000]
            if final:
                message.delivery = Delivery.FAILED
        message.save(update_fields=["delivery", "delivery_attempts", "delivery_error", "external_id"])
        if ok or final:
            events.record(message.conversation, "message.delivery", {
                "id": message.pk, "conversation": message.conversation_id, "delivery": message.delivery,
                "error": message.delivery_error})


# --- queue positions for waiting visitors (CHN-1) ------------------------------------------------

def broadcast_queue_positions(organisation_id: int) -> None:
    """Every waiting website visitor's place, after someone left the queue. Only the widget shows
    a place in the queue; Messenger and comment writers have no socket to tell."""
    waiting = (Conversation.objects.filter(organisation_id=organisation_id, status=Status.QUEUED,
                                           channel__kind=ChannelKind.WEBCHAT)
               .order_by("queued_at", "id").values_list("visitor_id", "channel_id"))
    per_channel: dict[int, int] = {}
    sends = []
    for visitor_id, channel_id in waiting:
        per_channel[channel_id] = per_channel.get(channel_id, 0) + 1
        sends.append((events.visitor_group(visitor_id), {"type": "visitor.queue", "position": per_channel[channel_id]}))
    events.ephemeral_many(sends)


def announce_queue_position(conversation: Conversation, channel: Channel) -> None:
    """A conversation joining the end of the queue moves nobody else: tell only its own visitor.
    (Telling everyone made a burst of first contacts cost the square of its size.)"""
    if channel.kind != ChannelKind.WEBCHAT:
        return
    from .selectors import queue_position

    position = queue_position(conversation)
    if position is not None:
        events.ephemeral(events.visitor_group(conversation.visitor_id), "visitor.queue", position=position)
