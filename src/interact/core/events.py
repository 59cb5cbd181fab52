"""Events after commit (DESIGN): a state change publishes to channel-layer groups only once its
transaction has committed, so no socket ever sees a change that was rolled back."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def organisation_group(org_id: int) -> str:
    return f"org.{org_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def publish(group: str, event_type: str, payload: dict) -> None:
    """Send ``{"type": "portal.event", "event": event_type, "payload": payload}`` after commit."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "portal.event", "event": event_type, "payload": payload})

    transaction.on_commit(send)


def end_sessions_of(user_id: int) -> None:
    """Close every socket a user holds, e.g. on deactivation (IAM-6)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "session.end"})

    transaction.on_commit(send)
