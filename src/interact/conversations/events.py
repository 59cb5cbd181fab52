"""The conversation event log (CNV-9): stored in the same transaction as the change it
describes, broadcast only after commit.

Groups stay small (DESIGN): one per conversation (portal sockets that opened it), one per
visitor (that visitor's tabs), one per organisation (queue-level summaries, never message
text) and one per end user (offers).
"""

from __future__ import annotations

from django.db import transaction

from interact.core import clock
from interact.core.events import organisation_group, send_to_group, send_to_groups, user_group

from .models import Conversation, Event

# Kinds a visitor's socket may replay; everything else is for end users only.
VISITOR_KINDS = frozenset({"message.created", "conversation.taken", "conversation.ended"})
# Kinds every portal socket of the organisation receives (queue and inbox lists).
QUEUE_KINDS = frozenset({"conversation.queued", "conversation.offered", "conversation.assigned",
                         "conversation.taken", "conversation.requeued", "conversation.ended",
                         "conversation.archived", "conversation.updated",
                         # the bot's conversations and handover (BOT-2): the "With the chatbot" list
                         "conversation.bot", "bot.paused", "bot.restarted", "bot.handover"})


def conversation_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}"


def visitor_group(visitor_id: int) -> str:
    return f"visitor.{visitor_id}"


def record(conversation: Conversation, kind: str, payload: dict, *, notify_user: int | None = None) -> Event:
    """Append an event and broadcast it once the surrounding transaction commits."""
    for_visitor = kind in VISITOR_KINDS
    event = Event.objects.create(organisation_id=conversation.organisation_id, conversation=conversation,
                                 kind=kind, payload=payload, for_visitor=for_visitor, created_at=clock.now())
    frame = {"id": event.id, "event": kind, "conversation": conversation.pk, "payload": payload}
    groups = [conversation_group(conversation.pk)]
    if kind in QUEUE_KINDS:
        groups.append(organisation_group(conversation.organisation_id))
    if notify_user:
        groups.append(user_group(notify_user))

    def broadcast() -> None:
        sends = [(group, {"type": "inbox.event", **frame}) for group in groups]
        if for_visitor:
            sends.append((visitor_group(conversation.visitor_id), {"type": "visitor.event", **frame}))
        send_to_groups(sends)

    transaction.on_commit(broadcast)
    return event


def ephemeral(group: str, message_type: str, **fields) -> None:
    """Typing indicators and queue positions: not worth storing, sent after commit."""
    transaction.on_commit(lambda: send_to_group(group, {"type": message_type, **fields}))


def ephemeral_many(sends: list[tuple[str, dict]]) -> None:
    """Several ephemeral messages in one hop after commit (queue positions of a whole queue)."""
    if sends:
        transaction.on_commit(lambda: send_to_groups(sends))
