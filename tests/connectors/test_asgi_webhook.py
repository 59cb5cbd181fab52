"""CHN-2: the webhook as production serves it — the bare ASGI route in front of Django, through
uvicorn — applies the same checks and stores before answering."""

from __future__ import annotations

import httpx
import pytest

from interact.connectors import meta
from interact.connectors.models import WebhookEvent
from interact.conversations.models import Message

from .conftest import APP_SECRET, page_body, text_event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def url(asgi_server, fb_page):
    return f"{asgi_server}/webhooks/facebook/{fb_page.webhook_key}/"


def test_chn2_verification_and_a_signed_event_through_the_asgi_route(url, fb_page, always_open):
    challenge = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": fb_page.verify_token,
                                       "hub.challenge": "42"})
    assert challenge.status_code == 200 and challenge.text == "42"
    body = page_body(messaging=[text_event("9001", "Fast path", mid="m_fast")])
    ok = httpx.post(url, content=body, headers={meta.SIGNATURE_HEADER: meta.sign(APP_SECRET, body)})
    assert ok.status_code == 200 and ok.text == "EVENT_RECEIVED"
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert Message.objects.filter(external_id="m_fast").count() == 1
    no_slash = httpx.post(url.rstrip("/"), content=body, headers={meta.SIGNATURE_HEADER: meta.sign(APP_SECRET, body)})
    assert no_slash.status_code == 200 and Message.objects.filter(external_id="m_fast").count() == 1


def test_chn2_bad_requests_on_the_asgi_route(url, asgi_server):
    body = page_body(messaging=[text_event("9001", "x")])
    assert httpx.post(url, content=body).json()["error"]["code"] == "missing_signature"
    forged = httpx.post(url, content=body, headers={meta.SIGNATURE_HEADER: "sha256=" + "ab" * 32})
    assert forged.status_code == 403
    put = httpx.put(url, content=body)
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST"
    huge = b"{" + b" " * 1_100_000 + b"}"
    too_big = httpx.post(url, content=huge, headers={meta.SIGNATURE_HEADER: meta.sign(APP_SECRET, huge)})
    assert too_big.status_code == 413
    assert httpx.post(f"{asgi_server}/webhooks/facebook/unknown/", content=body).status_code == 404
    assert not WebhookEvent.objects.exists()
    assert httpx.get(f"{asgi_server}/healthz").status_code == 200  # everything else is still Django
