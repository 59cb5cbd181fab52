"""Client side shared by ws_capacity.py and latency.py: how a visitor and an inbox socket connect.

One definition so Interact and the echo baseline are driven by byte-for-byte the same client.
The client negotiates permessage-deflate like browsers do (the ``websockets`` default), because
that is what the server pays for in production.
"""

from __future__ import annotations

import json

from common import HOST, ORIGIN
from websockets.asyncio.client import ClientConnection, connect

OPEN_TIMEOUT = 60


def widget_url(port: int, public_key: str) -> str:
    return f"ws://{HOST}:{port}/ws/widget/{public_key}/"


def inbox_url(port: int) -> str:
    return f"ws://{HOST}:{port}/ws/inbox/"


async def open_visitor(port: int, public_key: str, token: str | None = None) -> tuple[ClientConnection, dict]:
    """Connect and say hello; returns the socket and the ``welcome`` frame (raises otherwise)."""
    ws = await connect(widget_url(port, public_key), origin=ORIGIN, open_timeout=OPEN_TIMEOUT, max_queue=None)
    hello = {"type": "hello"}
    if token:
        hello["visitor_token"] = token
    await ws.send(json.dumps(hello))
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "welcome":
            return ws, frame
        if frame.get("type") == "error":
            await ws.close()
            raise RuntimeError(f"hello refused: {frame}")


async def open_inbox(port: int, cookie: str | None) -> ClientConnection:
    """Connect an agent's inbox socket with their session cookie; returns after its ``hello``."""
    headers = {"Cookie": cookie} if cookie else None
    ws = await connect(inbox_url(port), origin=f"{ORIGIN}:{port}", additional_headers=headers,
                       open_timeout=OPEN_TIMEOUT, max_queue=None)
    frame = json.loads(await ws.recv())
    if frame.get("type") != "hello":
        raise RuntimeError(f"inbox refused: {frame}")
    return ws
