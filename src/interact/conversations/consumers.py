"""The agent inbox socket (CNV-9): ``/ws/inbox/``.

Joins the organisation group (queue-level changes, never message text) and the user's own group
(offers, assignments). Opening a conversation subscribes to its group after the same permission
check as the page. ``resume`` replays stored events after an id, so a reconnecting inbox misses
nothing; ``ping`` is the presence heartbeat routing relies on.
"""

from __future__ import annotations

import json
import logging

from channels.generic.websocket import AsyncWebsocketConsumer

from interact.core import clock
from interact.core.db import db_call
from interact.core.events import organisation_group, user_group
from interact.core.frames import BadFrame, parse_frame
from interact.core.permissions import has_perm
from interact.core.ratelimit import TokenBucket

from . import selectors, services
from .events import QUEUE_KINDS, conversation_group, visitor_group
from .models import Conversation, Presence

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 4_000
MAX_SUBSCRIPTIONS = 50


@db_call
def _may_connect(user) -> bool:
    return bool(user and user.is_authenticated and user.organisation_id and has_perm(user, "conversations.handle"))


@db_call
def _heartbeat(user, channel_name: str, *, first: bool = False) -> None:
    now = clock.now()
    Presence.objects.update_or_create(channel_name=channel_name, defaults={"user": user, "seen_at": now})
    if first:
        services.offer_waiting(user)


@db_call
def _gone(channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


@db_call
def _viewable(user, conversation_id: object) -> Conversation | None:
    if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
        return None
    found = Conversation.objects.filter(pk=conversation_id, organisation_id=user.organisation_id).first()
    if found is None or not selectors.may_view(user, found):
        return None
    return found


@db_call
def _replay(user, after: int, conversation_ids: list[int]) -> list[dict]:
    events = selectors.events_after(user.organisation_id, after, conversation_ids=conversation_ids,
                                    kinds=QUEUE_KINDS, limit=501)
    return [{"type": "event", "id": e.id, "event": e.kind, "conversation": e.conversation_id, "payload": e.payload}
            for e in events]


class InboxConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.subscriptions: dict[int, int] = {}  # conversation id -> visitor id
        self.bucket = TokenBucket(capacity=20, refill_per_second=5)
        if not await _may_connect(self.user):
            await self.close(code=4403)
            return
        self.fixed_groups = [organisation_group(self.user.organisation_id), user_group(self.user.pk)]
        for group in self.fixed_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await _heartbeat(self.user, self.channel_name, first=True)
        await self.send(json.dumps({"type": "hello", "user": self.user.pk}))

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "fixed_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        for conversation_id in list(getattr(self, "subscriptions", {})):
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        if getattr(self, "user", None) is not None:
            await _gone(self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = parse_frame(text_data, MAX_FRAME_BYTES)
        except BadFrame as bad:
            await self._error(bad.code)
            return
        if not self.bucket.allow():
            await self._error("rate_limited")
            return
        handler = {"ping": self._ping, "subscribe": self._subscribe, "unsubscribe": self._unsubscribe,
                   "typing": self._typing, "resume": self._resume}.get(frame["type"])
        if handler is None:
            await self._error("unknown_frame")
            return
        await handler(frame)

    async def _ping(self, frame: dict) -> None:
        await _heartbeat(self.user, self.channel_name)
        await self.send(json.dumps({"type": "pong"}))

    async def _subscribe(self, frame: dict) -> None:
        conversation = await _viewable(self.user, frame.get("conversation"))
        if conversation is None:
            await self._error("unknown_conversation", conversation=frame.get("conversation"))
            return
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            oldest = next(iter(self.subscriptions))
            await self._unsubscribe({"conversation": oldest})
        self.subscriptions[conversation.pk] = conversation.visitor_id
        await self.channel_layer.group_add(conversation_group(conversation.pk), self.channel_name)
        await self.send(json.dumps({"type": "subscribed", "conversation": conversation.pk}))

    async def _unsubscribe(self, frame: dict) -> None:
        conversation_id = frame.get("conversation")
        if conversation_id in self.subscriptions:
            del self.subscriptions[conversation_id]
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)

    async def _typing(self, frame: dict) -> None:
        conversation_id = frame.get("conversation")
        if conversation_id not in self.subscriptions:
            await self._error("unknown_conversation", conversation=conversation_id)
            return
        await self.channel_layer.group_send(visitor_group(self.subscriptions[conversation_id]), {
            "type": "visitor.typing", "typing": bool(frame.get("typing")), "author": self.user.first_name})
        await self.channel_layer.group_send(conversation_group(conversation_id), {
            "type": "inbox.typing", "conversation": conversation_id, "who": "agent", "user": self.user.pk,
            "typing": bool(frame.get("typing"))})

    async def _resume(self, frame: dict) -> None:
        after = frame.get("after")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self._error("invalid_after")
            return
        events = await _replay(self.user, after, list(self.subscriptions))
        if len(events) > 500:
            await self.send(json.dumps({"type": "reload"}))
            return
        for event in events:
            await self.send(json.dumps(event))
        await self.send(json.dumps({"type": "resumed", "after": after}))

    async def _error(self, code: str, **extra) -> None:
        log.info("inbox frame refused", extra={"code": code, "user": self.user.pk})
        await self.send(json.dumps({"type": "error", "code": code, **extra}))

    # --- group messages ------------------------------------------------------------------------

    async def inbox_event(self, message: dict) -> None:
        await self.send(json.dumps({"type": "event", "id": message["id"], "event": message["event"],
                                    "conversation": message["conversation"], "payload": message["payload"]}))

    async def inbox_typing(self, message: dict) -> None:
        if message.get("who") == "agent" and message.get("user") == self.user.pk:
            return
        await self.send(json.dumps({"type": "typing", "conversation": message["conversation"],
                                    "who": message["who"], "typing": message["typing"]}))

    async def inbox_visitor(self, message: dict) -> None:
        await self.send(json.dumps({"type": "visitor", "conversation": message["conversation"],
                                    "online": message["online"]}))

    async def portal_event(self, message: dict) -> None:
        pass

    async def session_end(self, message: dict) -> None:
        await self.close(code=4401)

