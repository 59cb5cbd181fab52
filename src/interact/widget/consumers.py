"""The visitor's websocket (CHN-1): ``/ws/widget/<public_key>/``.

Protocol (documented for site owners in docs/widget.md). Client frames: ``hello`` (first, once),
``message``, ``typing``, ``end``, ``ping``. Server frames: ``welcome``, ``event`` (stored, with an
increasing ``id`` the widget keeps to resume after a reconnect), ``ack``, ``queue``, ``typing``,
``error`` and ``pong``.

Bad input costs only the sender: a malformed or oversized frame gets an ``error`` frame and is
logged; a flood is refused frame by frame, and only a socket that keeps flooding is closed.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext_lazy

from interact.conversations.events import conversation_group, visitor_group
from interact.core.errors import ServiceError
from interact.core.frames import BadFrame, parse_frame
from interact.core.gates import FeatureGateMixin
from interact.core.plans import Feature
from interact.core.ratelimit import TokenBucket

from . import session

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024  # room for a 5,000-character message even in a three-byte script
FRAME_ERRORS = {
    "bad_frame": gettext_lazy("A frame is a JSON object with a type."),
    "frame_too_large": gettext_lazy("A frame is at most 16 kB of text."),
}
MAX_STRIKES = 20


class WidgetConsumer(FeatureGateMixin, AsyncWebsocketConsumer):
    required_feature = Feature.SDK

    async def connect(self) -> None:
        self.channel = await session.channel_by_key(self.scope["url_route"]["kwargs"]["public_key"])
        self.visitor = None
        self.language = ""
        self.groups_joined: list[str] = []
        # Messages cost a token of their own bucket; typing and pings share a second one and are
        # dropped quietly when it runs dry, so a chatty keyboard never eats the visitor's messages.
        self.bucket = TokenBucket(capacity=10, refill_per_second=1)
        self.light_bucket = TokenBucket(capacity=10, refill_per_second=1)
        self.strikes = 0
        self.replayed_up_to = 0
        if self.channel is None:
            await self.close(code=4404)
            return
        if not await self.refuse_unless_feature(self.channel.organisation):
            return
        origin = _header(self.scope, b"origin")
        if not session.origin_allowed(self.channel, origin):
            log.info("widget origin refused", extra={"channel": self.channel.pk, "origin": origin})
            await self.accept()
            await self._error("origin_not_allowed", gettext_lazy("This website may not use this chat."))
            await self.close(code=4403)
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.visitor is not None:
            await self._announce_presence(online=False)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = parse_frame(text_data, MAX_FRAME_BYTES)
        except BadFrame as bad:
            await self._refuse(bad.code, FRAME_ERRORS[bad.code])
            return
        await self._dispatch(frame["type"], frame)

    async def _dispatch(self, kind: str, frame: dict) -> None:
        if kind == "ping":
            if self.light_bucket.allow():
                await self.send(json.dumps({"type": "pong"}))
            return
        if kind == "hello":
            await self._hello(frame)
            return
        if self.visitor is None:
            await self._refuse("hello_first", gettext_lazy("Say hello before anything else."))
            return
        handler = {"message": self._message, "typing": self._typing, "end": self._end}.get(kind)
        if handler is None:
            await self._refuse("unknown_frame", gettext_lazy("Unknown frame type."), frame_type=kind[:40])
            return
        await handler(frame)

    # --- frames --------------------------------------------------------------------------------

    async def _hello(self, frame: dict) -> None:
        if self.visitor is not None:
            await self._refuse("already_greeted", gettext_lazy("Hello was already said on this socket."))
            return
        self.language = session.language_of(frame.get("language"))
        try:
            after = session.last_event_id(frame)
            welcome, visitor = await session.hello(self.channel, frame)
        except session.HelloRefused as refusal:
            log.info("widget hello refused", extra={"channel": self.channel.pk, "code": refusal.code})
            await self._error(refusal.code, refusal.message)
            await self.close(code=4401)
            return
        self.visitor = visitor
        # Join first, replay second: live events buffer on this socket's channel meanwhile, and
        # ``visitor_event`` skips those the replay already carried, so each arrives exactly once.
        self.groups_joined = [visitor_group(visitor.pk)]
        await self.channel_layer.group_add(self.groups_joined[0], self.channel_name)
        replay = await session.replay(visitor, after)
        await self.send(json.dumps(welcome))
        while replay:  # page by page, so a long absence is replayed whole, never cut off
            for event in replay:
                await self.send(json.dumps(event))
            self.replayed_up_to = replay[-1]["id"]
            if len(replay) < session.PAGE_MAX:
                break
            replay = await session.replay(visitor, self.replayed_up_to)
        await self._announce_presence(online=True)

    async def _announce_presence(self, *, online: bool) -> None:
        conversation_id, still_online = await session.visitor_presence(self.visitor, online=online)
        if conversation_id:
            await self.channel_layer.group_send(conversation_group(conversation_id), {
                "type": "inbox.visitor", "conversation": conversation_id, "online": still_online})

    async def _message(self, frame: dict) -> None:
        client_id = frame.get("client_id")
        if not self.bucket.allow():
            await self._refuse("rate_limited", gettext_lazy("Too many messages; wait a moment."), client_id=client_id)
            return
        try:
            ack = await session.receive(self.channel, self.visitor, frame.get("body"), client_id)
        except session.RateLimited:
            await self._refuse("rate_limited", gettext_lazy("Too many messages; wait a moment."), client_id=client_id)
            return
        except ServiceError as error:
            await self._error(error.code, error.message, client_id=client_id)
            return
        await self.send(json.dumps(ack))

    async def _typing(self, frame: dict) -> None:
        if not self.light_bucket.allow():
            return
        conversation_id = await session.open_conversation_id(self.visitor)
        if conversation_id:
            await self.channel_layer.group_send(conversation_group(conversation_id), {
                "type": "inbox.typing", "conversation": conversation_id, "who": "visitor",
                "typing": bool(frame.get("typing"))})

    async def _end(self, frame: dict) -> None:
        await session.end_by_visitor(self.visitor)

    # --- outbound ------------------------------------------------------------------------------

    async def visitor_event(self, message: dict) -> None:
        if message["id"] <= self.replayed_up_to:
            return
        await self.send(json.dumps(session.event_frame(message)))

    async def visitor_queue(self, message: dict) -> None:
        await self.send(json.dumps({"type": "queue", "position": message["position"]}))

    async def visitor_typing(self, message: dict) -> None:
        await self.send(json.dumps({"type": "typing", "typing": message["typing"],
                                    "author": message.get("author", "")}))

    # --- errors --------------------------------------------------------------------------------

    async def _error(self, code: str, message, **extra) -> None:
        """Error texts follow the visitor's language when the widget told us one."""
        with translation.override(self.language or None):
            text = str(message)
        await self.send(json.dumps({"type": "error", "code": code, "message": text, **extra}))

    async def _refuse(self, code: str, message, **extra) -> None:
        self.strikes += 1
        log.info("widget frame refused", extra={"code": code, "strikes": self.strikes})
        await self._error(code, message, **extra)
        if self.strikes >= MAX_STRIKES:
            await self.close(code=4429)


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
