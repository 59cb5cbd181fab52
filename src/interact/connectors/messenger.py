"""The Facebook Messenger connector (CHN-2, CHN-3, CHN-4).

Inbound: the ``messaging`` items of a Page webhook — text, attachments, quick replies, postbacks
and the echoes of messages the Page sent — become messages of the person's conversation,
idempotent by Meta's ``mid``. Outbound: the Send API, inside the messaging window Meta allows
(24 hours after the person's last message as a normal response, up to 7 days with the
``HUMAN_AGENT`` tag, never after).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import ClassVar

from django.utils.translation import gettext as _

from interact.core import clock

from . import facebook, meta
from .base import DeliveryFailed, register
from .models import ChannelKind, FacebookPage

log = logging.getLogger(__name__)

TEXT_LIMIT = 2000  # Send API: a text message is at most 2,000 characters
STANDARD_WINDOW = dt.timedelta(hours=24)
HUMAN_AGENT_WINDOW = dt.timedelta(days=7)
OUR_METADATA = "interact:"


def _attachment_line(attachment: object) -> str | None:
    if not isinstance(attachment, dict):
        return None
    kind = str(attachment.get("type") or "file")[:20]
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    url = payload.get("url") if isinstance(payload.get("url"), str) else ""
    if kind == "location" and isinstance(payload.get("coordinates"), dict):
        coordinates = payload["coordinates"]
        url = f"{coordinates.get('lat')},{coordinates.get('long')}"
    title = attachment.get("title") if isinstance(attachment.get("title"), str) else ""
    return f"[{kind}] {title or url}".strip()[:1000]


def _attachment_link(attachment: dict) -> dict:
    """Type and address only, and only a web address: the inbox turns it into a link."""
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    return {"type": str(attachment.get("type") or "file")[:20], "url": facebook.web_url(payload.get("url"))}


def _content(item: dict) -> tuple[str, str | None, dict] | None:
    """(body, mid, meta) of one messaging item, or None for what is not a message (reads,
    deliveries, reactions, opt-ins)."""
    message = item.get("message")
    if isinstance(message, dict):
        extra: dict = {}
        lines = []
        if isinstance(message.get("text"), str) and message["text"].strip():
            lines.append(message["text"])
        attachments = message.get("attachments") if isinstance(message.get("attachments"), list) else []
        described = [line for line in map(_attachment_line, attachments[:10]) if line]
        if described:
            extra["attachments"] = [_attachment_link(a) for a in attachments[:10] if isinstance(a, dict)]
            lines.extend(described)
        quick = message.get("quick_reply")
        if isinstance(quick, dict) and isinstance(quick.get("payload"), str):
            extra["quick_reply"] = quick["payload"][:1000]
        if isinstance(message.get("reply_to"), dict):
            extra["reply_to"] = str(message["reply_to"].get("mid", ""))[:200]
        if not lines:
            return None
        return "\n".join(lines), _mid(message.get("mid")), extra
    postback = item.get("postback")
    if isinstance(postback, dict):
        title = postback.get("title") if isinstance(postback.get("title"), str) else ""
        payload = postback.get("payload") if isinstance(postback.get("payload"), str) else ""
        if not (title or payload):
            return None
        mid = _mid(postback.get("mid"))
        if mid is None:
            sender = item.get("sender") if isinstance(item.get("sender"), dict) else {}
            mid = f"postback:{sender.get('id')}:{item.get('timestamp')}"[:200]
        return title or payload, mid, {"postback": payload[:1000]}
    return None


def _mid(value: object) -> str | None:
    return value[:200] if isinstance(value, str) and value else None


def handle(page: FacebookPage, item: dict) -> None:
    """One ``messaging`` item. Unknown kinds are skipped: Meta adds new ones without notice."""
    from interact.conversations.models import Message, SenderKind
    from interact.conversations.services import receive_message

    channel = facebook.channel_of(page, ChannelKind.MESSENGER)
    content = _content(item)
    if channel is None or content is None:
        return
    body, mid, extra = content
    body = facebook.fit(body, extra)
    message = item.get("message") if isinstance(item.get("message"), dict) else {}
    echo = message.get("is_echo") is True
    party = item.get("recipient" if echo else "sender")
    psid = str(party.get("id", "")) if isinstance(party, dict) else ""
    if not psid or psid == page.page_id:
        return
    sent_at = facebook.from_millis(item.get("timestamp"))
    if echo:
        metadata = message.get("metadata") if isinstance(message.get("metadata"), str) else ""
        if metadata.startswith(OUR_METADATA):
            # Our own reply coming back: remember Meta's id for it, store nothing new.
            ours = metadata[len(OUR_METADATA):]
            if ours.isdigit() and mid:
                Message.objects.filter(pk=int(ours), channel=channel, external_id__isnull=True).update(
                    external_id=mid)
            return
        extra["source"] = "facebook"  # written by someone in Meta's own Page inbox
        visitor = facebook.person(channel, psid)
        receive_message(channel, visitor, body, external_id=mid, sender=SenderKind.AGENT, sent_at=sent_at,
                        meta=extra)
        return
    visitor = facebook.person(channel, psid)
    receive_message(channel, visitor, body, external_id=mid, sent_at=sent_at, meta=extra)
    if not visitor.display_name:
        _learn_name(page, channel, visitor)


def _learn_name(page: FacebookPage, channel, visitor) -> None:
    """The person's name from Meta's user profile API; without it the inbox says "Visitor 12"."""
    from interact.conversations.models import Visitor

    try:
        profile = meta.call("GET", visitor.external_id, page.access_token, params={"fields": "first_name,last_name"})
    except (meta.GraphError, meta.GraphUnreachable):
        return
    name = " ".join(str(profile.get(k, "")) for k in ("first_name", "last_name")).strip()[:facebook.NAME_MAX]
    if name:
        Visitor.objects.filter(pk=visitor.pk, display_name="").update(display_name=name)


def _window(message) -> dict:
    """Messaging type for the Send API, from the person's last message (Meta's 24-hour rule)."""
    from interact.conversations.models import Message, SenderKind

    last = (Message.objects.filter(conversation__visitor_id=message.conversation.visitor_id,
                                   sender=SenderKind.VISITOR).order_by("-created_at")
            .values_list("created_at", flat=True).first())
    kind = messaging_type_for(clock.now() - last) if last else None
    if kind == "RESPONSE":
        return {"messaging_type": kind}
    if kind == "MESSAGE_TAG":
        return {"messaging_type": kind, "tag": "HUMAN_AGENT"}
    raise DeliveryFailed(_("Outside the messaging window Facebook allows: the person last wrote more than 7 "
                           "days ago."), retryable=False)


def messaging_type_for(age: dt.timedelta) -> str | None:
    """Meta's rule: a normal response within 24 hours of the person's last message; a human agent
    may still answer with the ``HUMAN_AGENT`` tag up to 7 days; after that, nothing."""
    if age <= STANDARD_WINDOW:
        return "RESPONSE"
    if age <= HUMAN_AGENT_WINDOW:
        return "MESSAGE_TAG"
    return None


def _parts(text: str) -> list[str]:
    return [text[i:i + TEXT_LIMIT] for i in range(0, len(text), TEXT_LIMIT)] or [""]


class MessengerConnector:
    kind: ClassVar[str] = ChannelKind.MESSENGER
    supports_bots: ClassVar[bool] = True

    def deliver(self, message) -> str | None:
        page = message.channel.page
        if page is None:
            raise DeliveryFailed(_("The Facebook Page of this channel was disconnected."), retryable=False)
        window = _window(message)
        recipient = message.conversation.visitor.external_id
        message_id = None
        for part in _parts(message.body):
            answer = meta.send(message.channel_id, f"{page.page_id}/messages", page.access_token, {
                "recipient": {"id": recipient}, **window,
                "message": {"text": part, "metadata": f"{OUR_METADATA}{message.pk}"},
            })
            message_id = answer.get("message_id") or message_id
        return str(message_id)[:200] if message_id else None


register(MessengerConnector())
