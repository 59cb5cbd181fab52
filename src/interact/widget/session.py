"""The widget socket's database side, kept out of the consumer so it stays thin and testable.

Every function here runs in a worker thread (:func:`interact.core.db.db_call`) and returns plain data.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interact.admin_portal.selectors import is_open_now, next_change
from interact.connectors import webchat
from interact.connectors.models import Channel, ChannelKind
from interact.conversations import selectors, services
from interact.conversations.models import Conversation, Visitor
from interact.core import clock, languages
from interact.core.db import db_call
from interact.core.ratelimit import within_window_limit

PAGE_MAX = 500


MESSAGES_PER_MINUTE = 60


class RateLimited(Exception):
    """The visitor sent more than :data:`MESSAGES_PER_MINUTE` across all their tabs."""


class HelloRefused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code = code
        self.message = message


@db_call
def channel_by_key(public_key: str) -> Channel | None:
    return (Channel.objects.select_related("organisation")
            .filter(public_key=public_key, kind=ChannelKind.WEBCHAT, is_connected=True).first())


def origin_allowed(channel: Channel, origin: str) -> bool:
    """Only the websites the client listed may open the chat; with none listed, any site may."""
    allowed = [line.strip().rstrip("/").lower() for line in channel.allowed_origins.splitlines() if line.strip()]
    if not allowed:
        return True
    return origin.rstrip("/").lower() in allowed


def language_of(raw: object) -> str:
    """The visitor's language as one of ours, or "" when the browser's is not one we serve."""
    if not isinstance(raw, str):
        return ""
    code = raw.strip().lower().replace("_", "-").split("-")[0][:8]
    return code if code in languages.CODES else ""


def _attributes(frame: dict) -> dict:
    attributes = {}
    for key in ("page", "referrer", "user_agent", "name", "email"):
        value = frame.get(key)
        if isinstance(value, str) and value.strip():
            attributes[key] = value.strip()[:500]
    return attributes


def _refusal_message(code: str) -> str:
    return {
        "invalid_last_event_id": _("last_event_id is a non-negative integer."),
        "invalid_visitor_token": _("This visitor token is not valid for this chat."),
        "invalid_signature": _("The identity signature does not match; check the channel secret."),
        "invalid_identifier": _("The identifier is 1 to 150 characters."),
    }[code]


def last_event_id(frame: dict) -> int:
    """The id the widget resumes after; 0 (or absent) means "show me my open conversation"."""
    after = frame.get("last_event_id") or 0
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise HelloRefused("invalid_last_event_id", _refusal_message("invalid_last_event_id"))
    return after


@db_call
def hello(channel: Channel, frame: dict) -> tuple[dict, Visitor]:
    """Identify the visitor and describe the chat's state. The replay is a separate step
    (:func:`replay`) so the consumer can join the visitor's group in between: an event committed
    while the visitor says hello then reaches the socket either live or in the replay, never neither."""
    token, identifier, signature = frame.get("visitor_token"), frame.get("identifier"), frame.get("signature")
    last_event_id(frame)
    if token is not None and not isinstance(token, str):
        raise HelloRefused("invalid_visitor_token", _refusal_message("invalid_visitor_token"))
    try:
        identity = webchat.identify(channel, token=token, identifier=identifier, signature=signature)
    except webchat.IdentityRejected as refusal:
        raise HelloRefused(refusal.code, _refusal_message(refusal.code)) from None
    attributes = _attributes(frame)
    visitor = webchat.visitor_for(channel, identity, language=language_of(frame.get("language")), attributes=attributes)
    if identity.verified and attributes.get("name") and not visitor.display_name:
        Visitor.objects.filter(pk=visitor.pk).update(display_name=attributes["name"][:200])
    conversation = selectors.open_conversation_of(visitor.pk)
    now = clock.now()
    change = next_change(channel.organisation, now)
    welcome = {
        "type": "welcome",
        "visitor_token": identity.token,
        "verified": identity.verified,
        "open": is_open_now(channel.organisation, now),
        "next_change": timezone.localtime(change).isoformat() if change else None,
        "away_message": channel.away_message,
        "channel_name": channel.name,
        "conversation": _conversation_state(conversation),
    }
    return welcome, visitor


@db_call
def replay(visitor: Visitor, after: int) -> list[dict]:
    """The visitor's events after ``after`` (or their open conversation's, from 0), oldest first."""
    return [_stored_frame(event) for event in selectors.visitor_events_after(visitor.pk, after, PAGE_MAX)]


def _conversation_state(conversation: Conversation | None) -> dict | None:
    if conversation is None:
        return None
    return {"id": conversation.pk, "status": conversation.status,
            "position": selectors.queue_position(conversation),
            "agent": conversation.assignee.first_name if conversation.assignee_id and conversation.status == "active"
            else ""}


def _visible(kind: str, payload: dict) -> dict:
    """What a visitor may see of an event: never end users' ids, routing or internal notes."""
    if kind == "message.created":
        return {key: payload[key] for key in ("id", "sender", "author", "body", "created_at", "client_id")}
    if kind == "conversation.taken":
        return {"agent": payload.get("agent", "")}
    return {"by": payload.get("by", "")}


def _stored_frame(event) -> dict:
    return {"type": "event", "id": event.id, "event": event.kind, "conversation": event.conversation_id,
            "payload": _visible(event.kind, event.payload)}


def event_frame(message: dict) -> dict:
    return {"type": "event", "id": message["id"], "event": message["event"],
            "conversation": message["conversation"], "payload": _visible(message["event"], message["payload"])}


@db_call
def receive(channel: Channel, visitor: Visitor, body: object, client_id: object) -> dict:
    if client_id is not None and not isinstance(client_id, str):
        client_id = None
    # The per-visitor budget lives in the shared cache (Redis): counted here, on the worker thread,
    # so a cache round trip never blocks the event loop every socket shares.
    if not within_window_limit(f"visitor:{visitor.pk}", MESSAGES_PER_MINUTE):
        raise RateLimited()
    received = services.receive_message(channel, visitor, body, client_id=client_id)
    message = received.message
    return {"type": "ack", "client_id": client_id, "message_id": message.pk, "conversation": message.conversation_id,
            "event_id": received.event_id, "duplicate": not received.created}


@db_call
def open_conversation_id(visitor: Visitor) -> int | None:
    conversation = selectors.open_conversation_of(visitor.pk)
    return conversation.pk if conversation else None


@db_call
def end_by_visitor(visitor: Visitor) -> None:
    conversation = selectors.open_conversation_of(visitor.pk)
    if conversation is not None:
        services.end(conversation, None)


@db_call
def visitor_presence(visitor: Visitor, *, online: bool) -> tuple[int | None, bool]:
    """Count the visitor's open tabs in the shared cache; returns (open conversation, still online)
    so the inbox shows the visitor offline only when their last tab closed."""
    key = f"widget-tabs:{visitor.pk}"
    cache.add(key, 0, timeout=86400)
    try:
        tabs = cache.incr(key) if online else cache.decr(key)
    except ValueError:
        tabs = 1 if online else 0
    with transaction.atomic():
        Visitor.objects.filter(pk=visitor.pk).update(last_seen_at=clock.now())
    conversation = selectors.open_conversation_of(visitor.pk)
    return (conversation.pk if conversation else None), tabs > 0
