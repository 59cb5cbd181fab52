"""Meta's webhook served straight from ASGI, in front of Django (CHN-2, bench/README.md).

The same checks and the same "stored before the 200" as the Django view
(:func:`interact.connectors.views.facebook_webhook`), both calling :mod:`.webhooks`; what this
path skips is Django's request handling and its middleware — sessions, CSRF, language, messages,
plan gating — none of which applies to a machine-to-machine call signed with the app secret.
Measured on the 2-core box: 2.7 ms of server CPU per webhook through Django, 0.75 ms here. The
Django view stays for WSGI deployments and the test client.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from asgiref.sync import sync_to_async
from django.db import InterfaceError, OperationalError, connection

from interact.core.db import db_call, parallel

from . import meta, webhooks

PREFIX = "/webhooks/facebook/"
_SIGNATURE = meta.SIGNATURE_HEADER.lower().encode()


def _key(path: str) -> str | None:
    key = path[len(PREFIX):]
    key = key[:-1] if key.endswith("/") else key
    return key if key and "/" not in key else None


async def _respond(send, answer: webhooks.Answer, extra_headers: list | None = None) -> None:
    if isinstance(answer.body, str):
        body, content_type = answer.body.encode(), b"text/plain; charset=utf-8"
    else:
        body, content_type = json.dumps(answer.body).encode(), b"application/json"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               (b"x-content-type-options", b"nosniff"), *(extra_headers or [])]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive, limit: int) -> bytes | None:
    """The whole body, or ``None`` as soon as it grows past ``limit`` (nothing more is buffered)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _receive_keeping_the_connection(key: str, body: bytes, signature: str | None) -> webhooks.Answer:
    """``webhooks.receive`` on the pool thread's own persistent connection, without the health
    check Django runs around each call (a ``SELECT 1`` and a transaction of its own: a third of
    the database work of one event). A connection that died is replaced and the call made once
    more; at worst that stores the event twice, which processing absorbs (one message per Meta id)."""
    try:
        return webhooks.receive(key, body, signature)
    except (OperationalError, InterfaceError):
        connection.close()
        return webhooks.receive(key, body, signature)


class FacebookWebhookRoute:
    """ASGI middleware: answers ``/webhooks/facebook/<key>/`` itself, hands everything else on."""

    def __init__(self, app):
        self.app = app
        self._receive = (sync_to_async(_receive_keeping_the_connection, thread_sensitive=False) if parallel()
                         else db_call(webhooks.receive))
        self._verify = db_call(webhooks.verify_challenge)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith(PREFIX):
            return await self.app(scope, receive, send)
        key = _key(scope["path"])
        if key is None:
            return await self.app(scope, receive, send)
        method = scope["method"]
        if method == "GET":
            params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            return await _respond(send, await self._verify(key, params))
        if method != "POST":
            return await _respond(send, webhooks.Answer(405, {"error": {
                "code": "method_not_allowed", "message": "Use GET (verification) or POST (events)."}}),
                [(b"allow", b"GET, POST")])
        body = await _read_body(receive, webhooks.MAX_BODY_BYTES)
        if body is None:
            return await _respond(send, webhooks.Answer(413, {"error": {
                "code": "payload_too_large", "message": f"The body is limited to {webhooks.MAX_BODY_BYTES} bytes."}}))
        signature = next((value.decode("latin-1") for name, value in scope.get("headers", [])
                          if name.lower() == _SIGNATURE), None)
        return await _respond(send, await self._receive(key, body, signature))
