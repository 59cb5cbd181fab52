"""Jobs of the conversations context: outbound delivery with retries (CNV-10, CHN-3) and the
offer timeout of routing (CNV-2)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from interact.connectors.base import DeliveryFailed, connector_for

from . import services
from .models import Delivery, Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_DELAY_SECONDS = 15


@db_task(retries=MAX_ATTEMPTS - 1, retry_delay=RETRY_DELAY_SECONDS)
def deliver_message(message_id: int) -> None:
    """Hand one outbound message to its channel's connector. A retryable failure raises so huey
    tries again; the last failure, or a permanent one, marks the message failed where the end
    user sees it, with a button to send it again."""
    message = Message.objects.select_related("channel", "conversation").filter(pk=message_id).first()
    if message is None or message.delivery != Delivery.PENDING:
        return
    try:
        external_id = connector_for(message.channel.kind).deliver(message)
    except DeliveryFailed as failure:
        final = not failure.retryable or message.delivery_attempts + 1 >= MAX_ATTEMPTS
        services.mark_delivery(message_id, ok=False, error=failure.reason, final=final)
        log.warning("delivery failed", extra={"message_id": message_id, "reason": failure.reason, "final": final})
        if not final:
            raise
        return
    services.mark_delivery(message_id, ok=True, external_id=external_id)


@db_periodic_task(crontab(minute="*"))
def reoffer_expired_offers() -> None:
    services.reoffer_expired()
    services.forget_stale_presence()
