"""The transport's own ceiling: a bare ASGI websocket relay on the same uvicorn, same flags.

It speaks the same frames as Interact's widget and inbox sockets (``hello`` -> ``welcome``,
``message`` -> ``ack`` plus a ``message.created`` event to the visitor and to every inbox socket
subscribed to the conversation, ``subscribe`` -> ``subscribed``, ``ping`` -> ``pong``) but keeps
everything in one process's memory: no Django, no Channels, no database, no Redis, no rate limits.
The same client code drives it, so dividing Interact's figures by these gives the cost of the
application over what uvicorn + the websockets protocol + JSON cost anyway on this machine.

Serve it with ``python bench/serve.py echo 8702`` (what ws_capacity.py and latency.py do).
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict

_conversations = itertools.count(1)
_ids = itertools.count(1)
# conversation id -> send callables of the inbox sockets subscribed to it
_subscribers: dict[int, set] = defaultdict(set)


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _visitor(receive, send) -> None:
    conversation = None

    async def reply(frame: dict) -> None:
        await send({"type": "websocket.send", "text": json.dumps(frame)})

    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            continue
        if message["type"] == "websocket.disconnect":
            return
        frame = json.loads(message.get("text") or "{}")
        kind = frame.get("type")
        if kind == "hello":
            conversation = next(_conversations)
            await reply({"type": "welcome", "visitor_token": frame.get("visitor_token"), "open": True,
                         "conversation": {"id": conversation, "status": "active"}})
        elif kind == "ping":
            await reply({"type": "pong"})
        elif kind == "message" and conversation is not None:
            event_id = next(_ids)
            payload = {"id": event_id, "conversation": conversation, "sender": "visitor", "author": "",
                       "body": frame.get("body"), "client_id": frame.get("client_id")}
            await reply({"type": "ack", "client_id": frame.get("client_id"), "message_id": event_id,
                         "conversation": conversation, "event_id": event_id, "duplicate": False})
            event = json.dumps({"type": "event", "id": event_id, "event": "message.created",
                                "conversation": conversation, "payload": payload})
            await send({"type": "websocket.send", "text": event})
            for subscriber in list(_subscribers.get(conversation, ())):
                await subscriber({"type": "websocket.send", "text": event})


async def _inbox(receive, send) -> None:
    subscribed: list[int] = []
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.send", "text": json.dumps({"type": "hello", "user": 0})})
                continue
            if message["type"] == "websocket.disconnect":
                return
            frame = json.loads(message.get("text") or "{}")
            if frame.get("type") == "subscribe" and isinstance(frame.get("conversation"), int):
                _subscribers[frame["conversation"]].add(send)
                subscribed.append(frame["conversation"])
                await send({"type": "websocket.send",
                            "text": json.dumps({"type": "subscribed", "conversation": frame["conversation"]})})
            elif frame.get("type") == "ping":
                await send({"type": "websocket.send", "text": json.dumps({"type": "pong"})})
    finally:
        for conversation in subscribed:
            _subscribers[conversation].discard(send)


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "websocket" and scope["path"].startswith("/ws/widget/"):
        await _visitor(receive, send)
    elif scope["type"] == "websocket" and scope["path"].startswith("/ws/inbox/"):
        await _inbox(receive, send)
    elif scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4404})
    else:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
