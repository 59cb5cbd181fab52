"""Meta's webhook for connected Facebook Pages (CHN-2, CNV-10).

``GET`` answers Meta's verification challenge. ``POST`` is accepted only with a valid
``X-Hub-Signature-256`` over the raw body, checked in constant time with the app secret of the
connection the URL names; the raw body is then stored as a :class:`WebhookEvent` and Meta gets
its 200 only after that row is committed. Turning the event into messages is a job
(:func:`interact.connectors.tasks.process_webhook_event`): Meta wants an answer within seconds,
and a slow or failing step must not make it retry, or drop, what it already sent.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from interact.core import clock
from interact.core.crypto import DecryptionFailed

from . import meta
from .models import FacebookPage, WebhookEvent

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
_PAGE_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Connection:
    pk: int
    organisation_id: int
    page_id: str
    app_secret: str
    verify_token: str


_connections: dict[str, tuple[float, Connection | None]] = {}


def connection(webhook_key: str) -> Connection | None:
    """The connection behind a webhook URL, remembered for a few seconds: at a thousand events a
    second the lookup and the decryption of the app secret would otherwise be half the work."""
    now = time.monotonic()
    cached = _connections.get(webhook_key)
    if cached and cached[0] > now:
        return cached[1]
    page = FacebookPage.objects.filter(webhook_key=webhook_key).first() if len(webhook_key) <= 64 else None
    found = None
    if page is not None:
        try:
            secret = page.app_secret
        except DecryptionFailed:  # the key it was stored with is gone from INTERACT_ENCRYPTION_KEYS
            log.error("app secret cannot be decrypted", extra={"page": page.page_id})
            secret = ""
        found = Connection(page.pk, page.organisation_id, page.page_id, secret, page.verify_token)
    if len(_connections) > 10_000:
        _connections.clear()
    _connections[webhook_key] = (now + _PAGE_CACHE_SECONDS, found)
    return found


def forget_connection(webhook_key: str) -> None:
    _connections.pop(webhook_key, None)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict | str


def _refuse(status: int, code: str, message: str, **detail) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message, **detail}})


def verify_challenge(webhook_key: str, params: dict) -> Answer:
    """Meta's subscription check: echo ``hub.challenge`` when the verify token matches."""
    import hmac

    conn = connection(webhook_key)
    if conn is None:
        return _refuse(404, "unknown_webhook", "No Facebook Page is connected at this address.")
    if params.get("hub.mode") != "subscribe":
        return _refuse(400, "invalid_mode", "hub.mode must be 'subscribe'.")
    token = params.get("hub.verify_token") or ""
    if not hmac.compare_digest(token.encode(), conn.verify_token.encode()):
        log.warning("webhook verification with a wrong token", extra={"page": conn.page_id})
        return _refuse(403, "invalid_verify_token", "The verify token does not match.")
    challenge = params.get("hub.challenge") or ""
    if not challenge or len(challenge) > 200:
        return _refuse(400, "invalid_challenge", "hub.challenge is missing.")
    return Answer(200, challenge)


def _shape_error(payload: object, page_id: str) -> Answer | None:
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return _refuse(422, "unsupported_object", "Only Page webhooks (object 'page') are accepted here.")
    entries = payload.get("entry")
    if not isinstance(entries, list) or not entries:
        return _refuse(422, "no_entries", "The webhook has no entry.")
    for entry in entries:
        if not isinstance(entry, dict):
            return _refuse(422, "invalid_entry", "Each entry must be an object.")
        if str(entry.get("id")) != page_id:
            return _refuse(422, "unknown_page", "An entry is for a Page not connected at this address.",
                           page_id=str(entry.get("id"))[:40])
    return None


def receive(webhook_key: str, raw_body: bytes, signature: str | None) -> Answer:
    """Check, store, acknowledge. Nothing is written for a request that fails a check."""
    if len(raw_body) > MAX_BODY_BYTES:
        return _refuse(413, "payload_too_large", f"The body is limited to {MAX_BODY_BYTES} bytes.")
    conn = connection(webhook_key)
    if conn is None:
        return _refuse(404, "unknown_webhook", "No Facebook Page is connected at this address.")
    if not conn.app_secret:
        # Nothing can be verified, so nothing is accepted; 503 makes Meta send it again later,
        # once the operator has put the key back.
        return _refuse(503, "secret_unavailable", "This connection's app secret cannot be read; try again later.")
    if not signature:
        log.warning("webhook without signature", extra={"page": conn.page_id})
        return _refuse(401, "missing_signature", f"The {meta.SIGNATURE_HEADER} header is required.")
    if not meta.valid_signature(conn.app_secret, raw_body, signature):
        log.warning("webhook with an invalid signature", extra={"page": conn.page_id})
        return _refuse(403, "invalid_signature", f"{meta.SIGNATURE_HEADER} does not match the body.")
    try:
        payload = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, "malformed_json", "The body is not valid JSON.")
    problem = _shape_error(payload, conn.page_id)
    if problem is not None:
        log.warning("webhook refused", extra={"page": conn.page_id, "reason": problem.body["error"]["code"]})
        return problem
    from .tasks import process_webhook_event

    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(organisation_id=conn.organisation_id, page_id=conn.pk,
                                                body=raw_body, received_at=clock.now())
            transaction.on_commit(lambda: process_webhook_event(event.pk))
    except IntegrityError:  # the Page was disconnected a moment ago, in another process
        forget_connection(webhook_key)
        return _refuse(404, "unknown_webhook", "No Facebook Page is connected at this address.")
    return Answer(200, "EVENT_RECEIVED")
