"""The portal's websocket: one per signed-in end user, joined to their user and organisation groups.

Authorisation is checked on the server at connect time, the same rule as pages (IAM-3); a
deactivated user's sockets are closed by :func:`interact.core.events.end_sessions_of`.
"""

from __future__ import annotations

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from interact.core.db import db_call
from interact.core.events import organisation_group, user_group
from interact.core.permissions import has_perm


@db_call
def _may_connect(user) -> bool:
    return bool(user and user.is_authenticated and user.organisation_id and has_perm(user, "portal.use"))


class PortalEventsConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if not await _may_connect(user):
            await self.close(code=4403)
            return
        self.groups_joined = [organisation_group(user.organisation_id), user_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send(json.dumps({"type": "hello", "user": user.pk}))

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or frame.get("type") != "ping":
            await self.send(json.dumps({"type": "error", "code": "bad_frame"}))
            return
        await self.send(json.dumps({"type": "pong"}))

    async def portal_event(self, message: dict) -> None:
        await self.send(json.dumps({"type": message["event"], "payload": message["payload"]}))

    async def session_end(self, message: dict) -> None:
        await self.close(code=4401)
