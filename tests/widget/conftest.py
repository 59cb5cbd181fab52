"""Fixtures for the website chat widget (CHN-1): a Pro organisation with the SDK option, its
website chat channel, and helpers to talk to the real ASGI application over a websocket."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import pytest_asyncio

ORIGIN = "https://shop.example"
AWAY = "We are closed; we answer tomorrow from 9:00."


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and tab counts live in the shared cache, keyed by visitor id; ids are
    reused between transactional tests, so each test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sdk_org(make_org):
    return make_org(plan="pro", options=("sdk",))


@pytest.fixture
def make_channel():
    from interact.connectors.models import Channel, ChannelKind

    def make(org, *, allowed_origins: str = ORIGIN, name: str = "Website chat"):
        return Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name=name, away_message=AWAY,
                                      allowed_origins=allowed_origins)

    return make


@pytest.fixture
def channel(sdk_org, make_channel):
    return make_channel(sdk_org)


@pytest.fixture
def open_all_week(sdk_org):
    """Office hours covering the whole week, so the away message stays out of the way."""
    from interact.admin_portal.models import OfficeHoursPeriod

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=sdk_org, weekday=weekday, opens=dt.time(0, 0),
                                         closes=dt.time(23, 59))
    return sdk_org


@pytest.fixture
def agent(sdk_org, make_user):
    return make_user(sdk_org, "agent", first_name="Anna")


class Visitor:
    """One browser tab's socket, through ``interact.asgi.application`` like a real visitor."""

    def __init__(self, public_key: str, origin: str | None = ORIGIN):
        from channels.testing import WebsocketCommunicator

        from interact.asgi import application

        headers = [(b"origin", origin.encode())] if origin else []
        self.comm = WebsocketCommunicator(application, f"/ws/widget/{public_key}/", headers=headers)
        self.seen: list[dict] = []

    async def connect(self) -> tuple[bool, int | None]:
        return await self.comm.connect()

    async def send(self, frame) -> None:
        await self.comm.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False))

    async def next(self, timeout: float = 3) -> dict:
        frame = json.loads(await self.comm.receive_from(timeout=timeout))
        self.seen.append(frame)
        return frame

    async def until(self, predicate, timeout: float = 3) -> dict:
        """Read frames until one matches; the others stay in ``seen`` for later assertions."""
        while True:
            frame = await self.next(timeout)
            if predicate(frame):
                return frame

    async def hello(self, **fields) -> dict:
        await self.send({"type": "hello", "language": "en-GB", "page": "https://shop.example/", **fields})
        return await self.until(lambda f: f["type"] in ("welcome", "error"))

    async def say(self, body: str, client_id: str) -> dict:
        await self.send({"type": "message", "body": body, "client_id": client_id})
        return await self.until(lambda f: f.get("client_id") == client_id and f["type"] in ("ack", "error"))

    async def quiet(self, timeout: float = 0.3) -> list[dict]:
        """Frames still arriving within ``timeout``; what a socket received after the interesting part."""
        frames = []
        while not await self.comm.receive_nothing(timeout=timeout):
            frames.append(await self.next())
        return frames

    async def closed_with(self, timeout: float = 3) -> int:
        """Skip text frames until the server closes; returns the close code."""
        while True:
            output = await self.comm.receive_output(timeout=timeout)
            if output["type"] == "websocket.close":
                return output.get("code")
            self.seen.append(json.loads(output["text"]))

    async def close(self) -> None:
        await self.comm.disconnect()


@pytest_asyncio.fixture
async def visitor_socket(transactional_db):
    """``await visitor_socket(public_key, origin=...)`` connects a tab; all are closed at the end,
    before the database is flushed (their disconnect still writes presence)."""
    opened: list[Visitor] = []

    async def open_socket(public_key: str, origin: str | None = ORIGIN, *, expect_accept: bool = True) -> Visitor:
        tab = Visitor(public_key, origin)
        connected, code = await tab.connect()
        tab.connect_result = (connected, code)
        if expect_accept:
            assert connected, code
        opened.append(tab)
        return tab

    yield open_socket
    for tab in opened:
        await tab.close()
