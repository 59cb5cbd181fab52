"""Jobs of the channels context: turning stored webhook events into messages (CHN-2, CNV-10)."""

from __future__ import annotations

import datetime as dt
import json
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from interact.core import clock

from .models import WebhookEvent, WebhookStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_AFTER = dt.timedelta(minutes=2)


def backoff_seconds(attempt: int) -> int:
    """15 s, 30 s, 1 min, 2 min … capped at 15 min: a fault that clears by itself is retried soon,
    a longer one does not hammer the database or the network."""
    return min(15 * 2 ** max(attempt - 1, 0), 900)


def process(event: WebhookEvent) -> None:
    """Every entry of the stored body, in order. Safe to run twice: each message is stored once
    per Meta id, so a retry after a crash half-way through only adds what was missing."""
    from . import messenger, page_comments

    payload = json.loads(bytes(event.body))
    for entry in payload.get("entry", []):
        for item in entry.get("messaging", []) if isinstance(entry.get("messaging"), list) else []:
            if isinstance(item, dict):
                _each(messenger.handle, event, item)
        for change in entry.get("changes", []) if isinstance(entry.get("changes"), list) else []:
            if isinstance(change, dict):
                _each(page_comments.handle, event, change)


def _each(handler, event: WebhookEvent, item: dict) -> None:
    """An item the conversation engine refuses (an id already used by someone else's message) is
    logged and skipped; retrying would refuse it again and hold back the rest of the event."""
    from interact.core.errors import ServiceError

    try:
        handler(event.page, item)
    except ServiceError as refused:
        log.warning("webhook item refused", extra={"webhook_event": event.pk, "code": refused.code})


@db_task()
def process_webhook_event(event_id: int) -> None:
    event = WebhookEvent.objects.select_related("page").filter(pk=event_id).first()
    if event is None or event.status == WebhookStatus.PROCESSED:
        return
    try:
        process(event)
    except Exception as exc:  # noqa: BLE001 — the event stays stored and is tried again
        attempts = event.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        WebhookEvent.objects.filter(pk=event.pk).update(
            attempts=attempts, error=f"{type(exc).__name__}: {exc}"[:1000],
            status=WebhookStatus.FAILED if final else WebhookStatus.PENDING)
        log.exception("webhook event failed", extra={"webhook_event": event.pk, "attempt": attempts})
        if not final:
            raise RetryTask(delay=backoff_seconds(attempts)) from None
        return
    WebhookEvent.objects.filter(pk=event.pk).update(status=WebhookStatus.PROCESSED, processed_at=clock.now(),
                                                    attempts=event.attempts + 1, error="")


@db_periodic_task(crontab(minute="*"))
def process_stale_webhook_events() -> None:
    """A job lost with a crashed worker or queue leaves its event pending: pick it up again."""
    cutoff = clock.now() - STALE_AFTER
    stale = WebhookEvent.objects.filter(status=WebhookStatus.PENDING, received_at__lt=cutoff, attempts=0)
    for event_id in stale.order_by("id").values_list("pk", flat=True)[:500]:
        process_webhook_event(event_id)
