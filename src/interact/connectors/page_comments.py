"""The Facebook Page comments connector (CHN-2, CHN-3, CHN-4).

Inbound: ``feed`` changes of a Page webhook. A comment (or a reply to one) by someone becomes a
message of that person's conversation, idempotent by Meta's ``comment_id``; an edit changes the
stored copy; a removal blanks it and keeps a tombstone, so an ``add`` arriving after its own
``remove`` (Meta does not promise order) cannot bring the text back. Outbound: a reply is posted
under the person's latest comment.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from django.db import transaction
from django.utils.translation import gettext as _

from interact.core import clock

from . import facebook, meta
from .base import DeliveryFailed, register
from .models import ChannelKind, FacebookPage

log = logging.getLogger(__name__)

TOMBSTONE_TEXT = "…"


def _text(value: dict) -> str:
    lines = []
    if isinstance(value.get("message"), str) and value["message"].strip():
        lines.append(value["message"])
    for key in ("photo", "video"):
        if isinstance(value.get(key), str):
            lines.append(f"[{key}] {value[key]}"[:1000])
    return "\n".join(lines)


def _meta(value: dict) -> dict:
    post = value.get("post") if isinstance(value.get("post"), dict) else {}
    return {k: v[:2000] for k, v in {
        "post_id": value.get("post_id"), "parent_id": value.get("parent_id"),
        "permalink_url": facebook.web_url(post.get("permalink_url")),
    }.items() if isinstance(v, str) and v}


def handle(page: FacebookPage, change: dict) -> None:
    """One ``changes`` item. Only comments concern the inbox; posts, reactions and shares do not."""
    if change.get("field") != "feed" or not isinstance(change.get("value"), dict):
        return
    value = change["value"]
    if value.get("item") != "comment":
        return
    channel = facebook.channel_of(page, ChannelKind.PAGE_COMMENTS)
    comment_id = value.get("comment_id")
    author = value.get("from") if isinstance(value.get("from"), dict) else {}
    author_id = str(author.get("id", ""))
    if channel is None or not isinstance(comment_id, str) or not comment_id or not author_id:
        return
    comment_id = comment_id[:200]
    verb = value.get("verb")
    if author_id == page.page_id:
        _page_comment(channel, comment_id, value, verb)
        return
    name = author.get("name") if isinstance(author.get("name"), str) else ""
    visitor = facebook.person(channel, author_id, name)
    if verb == "add":
        _store(channel, visitor, comment_id, value)
    elif verb == "edited":
        _edit(channel, visitor, comment_id, value)
    elif verb == "remove":
        _remove(channel, visitor, comment_id, value)


def _store(channel, visitor, comment_id: str, value: dict, body: str | None = None):
    from interact.conversations.services import receive_message

    text = body if body is not None else _text(value)
    if not text.strip():
        return None
    extra = _meta(value)
    return receive_message(channel, visitor, facebook.fit(text, extra), external_id=comment_id,
                           sent_at=facebook.from_seconds(value.get("created_time")), meta=extra).message


def _stored(channel, comment_id: str):
    from interact.conversations.models import Message

    return Message.objects.select_for_update(of=("self",)).select_related("conversation").filter(
        channel=channel, external_id=comment_id).first()


def _edit(channel, visitor, comment_id: str, value: dict) -> None:
    from interact.conversations import events
    from interact.conversations.services import message_payload

    text = _text(value)
    if not text.strip():
        return
    with transaction.atomic():
        message = _stored(channel, comment_id)
        if message is None:  # the edit overtook the comment itself
            message = _store(channel, visitor, comment_id, value)
            if message is None:
                return
            message = _stored(channel, comment_id)
        if message.removed_at is not None or message.body == text:
            return
        message.body, message.edited_at = facebook.fit(text, message.meta), clock.now()
        message.save(update_fields=["body", "edited_at", "meta"])
        events.record(message.conversation, "message.updated", message_payload(message))


def _remove(channel, visitor, comment_id: str, value: dict) -> None:
    from interact.conversations import events
    from interact.conversations.services import message_payload

    with transaction.atomic():
        message = _stored(channel, comment_id)
        if message is None:  # a tombstone, so a late "add" finds the comment already removed
            if _store(channel, visitor, comment_id, value, body=TOMBSTONE_TEXT) is None:
                return
            message = _stored(channel, comment_id)
        if message.removed_at is not None:
            return
        message.body, message.removed_at = "", clock.now()
        message.save(update_fields=["body", "removed_at"])
        events.record(message.conversation, "message.updated", message_payload(message))


def _page_comment(channel, comment_id: str, value: dict, verb: object) -> None:
    """The Page's own comment. Our replies come back here too: the one we are still waiting to hear
    about gets Meta's id; a reply written on Facebook itself joins the conversation it answers."""
    from interact.conversations.models import Delivery, Message, SenderKind
    from interact.conversations.services import receive_message

    if verb != "add" or Message.objects.filter(channel=channel, external_id=comment_id).exists():
        return
    parent_id = value.get("parent_id")
    parent = Message.objects.filter(channel=channel, external_id=parent_id).select_related(
        "conversation__visitor").first() if isinstance(parent_id, str) else None
    if parent is None:
        return  # the Page commenting on its own post: no one to talk to
    text = _text(value)
    pending = (Message.objects.filter(conversation=parent.conversation, external_id__isnull=True,
                                      sender__in=[SenderKind.AGENT, SenderKind.BOT, SenderKind.SYSTEM],
                                      delivery__in=[Delivery.PENDING, Delivery.SENT], body=text)
               .order_by("created_at").first())
    if pending is not None:
        Message.objects.filter(pk=pending.pk, external_id__isnull=True).update(external_id=comment_id)
        return
    if text.strip():
        receive_message(channel, parent.conversation.visitor, text, external_id=comment_id,
                        sender=SenderKind.AGENT, sent_at=facebook.from_seconds(value.get("created_time")),
                        meta={**_meta(value), "source": "facebook"})


class PageCommentsConnector:
    kind: ClassVar[str] = ChannelKind.PAGE_COMMENTS
    supports_bots: ClassVar[bool] = False

    def deliver(self, message) -> str | None:
        from interact.conversations.models import Message, SenderKind

        page = message.channel.page
        if page is None:
            raise DeliveryFailed(_("The Facebook Page of this channel was disconnected."), retryable=False)
        target = (Message.objects.filter(conversation_id=message.conversation_id, sender=SenderKind.VISITOR,
                                         external_id__isnull=False, removed_at__isnull=True)
                  .order_by("-created_at", "-id").first())
        if target is None:
            raise DeliveryFailed(_("There is no comment left to reply to: the person removed theirs."),
                                 retryable=False)
        answer = meta.send(message.channel_id, f"{target.external_id}/comments", page.access_token,
                           {"message": message.body})
        return str(answer["id"])[:200] if answer.get("id") else None


register(PageCommentsConnector())
