"""Fixtures for the Facebook connectors: a fake Graph server, a connected Page, signed webhooks."""

from __future__ import annotations

import itertools
import json
import time

import pytest

from tests.fakes.graph import FakeGraph, start

PAGE_ID = "104857600123"
TOKEN = "EAAGm0PX4ZCpsBAFakePageAccessToken123456"
APP_SECRET = "0123456789abcdef0123456789abcdef"
_mids = itertools.count(1)


@pytest.fixture
def graph(settings):
    fake = FakeGraph()
    server, _thread = start(fake)
    settings.GRAPH_API_URL = fake.url
    fake.add_page(PAGE_ID, TOKEN, "Boulangerie Dupont")
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fb_page(graph, org, admin):
    from interact.connectors import services, webhooks

    page = services.connect_page(org, services.PageData(page_id=PAGE_ID, access_token=TOKEN, app_secret=APP_SECRET),
                                 by=admin)
    webhooks.forget_connection(page.webhook_key)
    yield page
    webhooks.forget_connection(page.webhook_key)


@pytest.fixture
def messenger(fb_page):
    return fb_page.channels.get(kind="messenger")


@pytest.fixture
def comments(fb_page):
    return fb_page.channels.get(kind="page_comments")


def now_ms() -> int:
    return int(time.time() * 1000)


def text_event(psid: str, text: str, *, mid: str | None = None, ts: int | None = None, **message) -> dict:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ts or now_ms(),
            "message": {"mid": mid or f"m_in{next(_mids)}", "text": text, **message}}


def page_body(*, messaging: list[dict] | None = None, changes: list[dict] | None = None,
              page_id: str = PAGE_ID) -> bytes:
    entry: dict = {"id": page_id, "time": now_ms()}
    if messaging is not None:
        entry["messaging"] = messaging
    if changes is not None:
        entry["changes"] = changes
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def comment_change(user_id: str, text: str, *, comment_id: str, verb: str = "add", name: str = "Jan Peeters",
                   parent_id: str | None = None, created: int | None = None) -> dict:
    post_id = f"{PAGE_ID}_555"
    return {"field": "feed", "value": {
        "from": {"id": user_id, "name": name}, "post": {"id": post_id, "status_type": "added_photos"},
        "message": text, "post_id": post_id, "comment_id": comment_id, "created_time": created or int(time.time()),
        "item": "comment", "parent_id": parent_id or post_id, "verb": verb}}


@pytest.fixture
def deliver(fb_page, django_capture_on_commit_callbacks):
    """Store a signed webhook body as Meta would send it and run its job; returns the answer."""
    from interact.connectors import meta, webhooks

    def send(body: bytes, *, signature: str | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return webhooks.receive(fb_page.webhook_key, body, signature or meta.sign(APP_SECRET, body))

    return send
