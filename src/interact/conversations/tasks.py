"""Jobs of the conversations context: outbound delivery with retries (CNV-10, CHN-3) and the
offer timeout of routing (CNV-2)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from interact.connectors.base import DeliveryFailed, connector_for

from . import services
from .models import Delivery, Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 15


def backoff_seconds(attempt: int) -> int:
    """15 s, 30 s, 1 min, 2 min, 4 min: a network that is throttling or briefly down gets room
    to recover, and a reply is still out within about 8 minutes when it does (CHN-3)."""
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempt - 1, 0), 600)


@db_task()
def deliver_message(message_id: int) -> None:
    """Hand one outbound message to its channel's connector. A retryable failure raises so huey
    tries again; the last failure, or a permanent one, marks the message failed where the end
    user sees it, with a button to send it again."""
    message = Message.objects.select_related("channel", "conversation").filter(pk=message_id).first()
    if message is None or message.delivery != Delivery.PENDING:
        return
    try:
        try:
            external_id = connector_for(message.channel.kind).deliver(message)
        except DeliveryFailed:
            raise
        except Exception as exc:  # a connector's bug or a secret that no longer decrypts
            # Counted and shown like any failure: a message must not sit "sending" forever.
            log.exception("delivery crashed", extra={"message_id": message_id})
            raise DeliveryFailed(f"Internal error while sending ({type(exc).__name__}).") from exc
    except DeliveryFailed as failure:
        attempt = message.delivery_attempts + 1
        final = not failure.retryable or attempt >= MAX_ATTEMPTS
        services.mark_delivery(message_id, ok=False, error=failure.reason, final=final)
        log.warning("delivery failed", extra={"message_id": message_id, "reason": failure.reason, "final": final})
        if not final:
            raise RetryTask(failure.reason, delay=backoff_seconds(attempt)) from None
        return
    services.mark_delivery(message_id, ok=True, external_id=external_id)


@db_periodic_task(crontab(minute="*"))
def reoffer_expired_offers() -> None:
    services.reoffer_expired()
    services.forget_stale_presence()
