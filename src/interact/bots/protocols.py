"""Talking to a chatbot (BOT-3): our generic webhook protocol and Rasa's REST channel.

Both turn one visitor message into one HTTP POST and read the bot's inline answer into a
:class:`BotAnswer`. Anything unexpected — a refused connection, a time-out, a non-2xx status,
a body that is not the documented JSON — is a :class:`BotFailure`: the caller hands the visitor
to a person instead of leaving them without an answer (docs/bots.md).

Requests are signed with HMAC-SHA256 over ``"<timestamp>.<raw body>"`` with the bot's secret, on
both platforms, so a bot (or a proxy in front of Rasa) can tell our requests from anyone else's
and refuse replays older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    from interact.conversations.models import Conversation, Message

    from .models import Chatbot

MAX_REPLIES = 10
REPLY_MAX_CHARS = 5000
MAX_RESPONSE_BYTES = 256 * 1024
USER_AGENT = "Interact-Bot-Connector/1"


class BotFailure(Exception):
    """The bot did not give a usable answer; ``reason`` is shown to Administrators (never to visitors)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Reply:
    text: str
    meta: dict = field(default_factory=dict)


@dataclass
class Handover:
    skill: str | None = None
    reason: str = ""


@dataclass
class BotAnswer:
    replies: list[Reply] = field(default_factory=list)
    handover: Handover | None = None


# --- signing -------------------------------------------------------------------------------------

def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>.<body>") — what a bot recomputes."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            "X-Interact-Timestamp": timestamp, "X-Interact-Signature": signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, sig: str | None, body: bytes, *, tolerance: int = 300,
           now: float | None = None) -> bool:
    """What a bot written in Python does with our headers (used by the demo bot and the tests)."""
    if not timestamp or not sig or not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), sig)


# --- where a bot may live ------------------------------------------------------------------------

def private_networks_allowed() -> bool:
    """Bots on loopback or private addresses are refused in production: an Administrator of one
    client must not be able to make our servers probe our own network (SSRF). The embedded demo,
    development and the tests talk to bots on 127.0.0.1."""
    explicit = getattr(settings, "BOTS_ALLOW_PRIVATE_NETWORKS", None)
    if explicit is not None:
        return bool(explicit)
    if os.environ.get("INTERACT_BOTS_ALLOW_PRIVATE_NETWORKS") == "1":
        return True
    return bool(getattr(settings, "DEMO", False) or settings.DEBUG)


def address_problem(url: str) -> str | None:
    """Why we will not call ``url``, or ``None`` when it is fine."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "not a valid address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the address must start with http:// or https://"
    if parts.username or parts.password:
        return "the address must not contain a user name or password"
    if private_networks_allowed():
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError):
        return "the host name does not resolve"
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global:
            return "the address is on a private network"
    return None


# --- the HTTP call ---------------------------------------------------------------------------------

def _post(bot: Chatbot, body: bytes) -> tuple[int, bytes]:
    problem = address_problem(bot.endpoint_url)
    if problem:
        raise BotFailure(f"refused: {problem}")
    deadline = time.monotonic() + bot.timeout_seconds
    headers = signed_headers(bot.secret, body)
    try:
        with httpx.Client(timeout=bot.timeout_seconds, follow_redirects=False) as client, \
                client.stream("POST", bot.endpoint_url, content=body, headers=headers) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise BotFailure(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise BotFailure(f"no complete answer within {bot.timeout_seconds} s")
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)
    except httpx.TimeoutException:
        raise BotFailure(f"no answer within {bot.timeout_seconds} s") from None
    except httpx.HTTPError as exc:
        raise BotFailure(f"could not reach the bot: {type(exc).__name__}: {exc}"[:300]) from None


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BotFailure("the answer is not valid JSON") from None


def _check_status(status: int) -> None:
    if not 200 <= status < 300:
        raise BotFailure(f"the bot answered HTTP {status}")


# --- the generic protocol (docs/bots.md) -----------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Button(_Strict):
    title: str = Field(min_length=1, max_length=80)
    payload: str = Field("", max_length=1000)


class _Reply(_Strict):
    text: str = Field(min_length=1, max_length=REPLY_MAX_CHARS)
    buttons: list[_Button] = Field(default_factory=list, max_length=10)


class _Handover(_Strict):
    skill: str | int | None = None
    reason: str = Field("", max_length=300)


class _Answer(_Strict):
    replies: list[_Reply] = Field(default_factory=list, max_length=MAX_REPLIES)
    handover: _Handover | None = None


def webhook_payload(bot: Chatbot, conversation: Conversation, message: Message) -> dict:
    visitor = conversation.visitor
    return {
        "event": "message",
        "bot": bot.pk,
        "conversation": {"id": conversation.pk, "channel": conversation.channel_id,
                         "channel_kind": conversation.channel.kind, "language": conversation.language},
        "visitor": {"id": visitor.pk, "name": str(visitor.name), "language": visitor.language},
        "message": {"id": message.pk, "text": message.body, "sent_at": message.created_at.isoformat(),
                    "meta": message.meta or {}},
    }


def parse_webhook_answer(status: int, raw: bytes) -> BotAnswer:
    """200 with the documented object; 202 or 204 mean "I will answer later through the API"."""
    _check_status(status)
    if status in (202, 204):
        return BotAnswer()
    if not raw.strip():
        raise BotFailure("HTTP 200 with an empty body (answer 204 to reply later)")
    try:
        answer = _Answer.model_validate(_json(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
        raise BotFailure(f"the answer does not follow the protocol ({where}: {first.get('msg')})"[:300]) from None
    if any(not r.text.strip() for r in answer.replies):
        raise BotFailure("the answer does not follow the protocol (replies.text: blank)")
    replies = [Reply(r.text.strip(), {"buttons": [b.model_dump() for b in r.buttons]} if r.buttons else {})
               for r in answer.replies]
    handover = None
    if answer.handover is not None:
        skill = answer.handover.skill
        handover = Handover(skill=str(skill) if skill not in (None, "") else None, reason=answer.handover.reason)
    return BotAnswer(replies, handover)


def call_webhook(bot: Chatbot, conversation: Conversation, message: Message) -> BotAnswer:
    body = json.dumps(webhook_payload(bot, conversation, message), separators=(",", ":")).encode()
    return parse_webhook_answer(*_post(bot, body))


# --- Rasa's REST channel ---------------------------------------------------------------------------

def rasa_sender(conversation: Conversation) -> str:
    """Rasa keeps one tracker per sender: one per visitor, so the bot remembers them across
    conversations. Not the channel's own id of the visitor, which may be a site's customer number."""
    return f"interact-visitor-{conversation.visitor_id}"


def rasa_payload(conversation: Conversation, message: Message) -> dict:
    return {"sender": rasa_sender(conversation), "message": message.body,
            "metadata": {"interact": {"conversation": conversation.pk, "message": message.pk,
                                      "language": conversation.language or conversation.visitor.language}}}


def parse_rasa_answer(status: int, raw: bytes) -> BotAnswer:
    """A JSON list of bot utterances (``recipient_id`` plus ``text``, ``image``, ``buttons``,
    ``custom``, ``attachment``). ``{"custom": {"handover": true, "skill": "..."}}`` asks for a person."""
    _check_status(status)
    data = _json(raw)
    if not isinstance(data, list) or len(data) > 50:
        raise BotFailure("a Rasa answer is a JSON list of messages")
    answer = BotAnswer()
    for item in data:
        if not isinstance(item, dict):
            raise BotFailure("a Rasa answer is a JSON list of objects")
        text = item.get("text")
        image = item.get("image")
        buttons = item.get("buttons")
        custom = item.get("custom")
        meta: dict = {}
        if text is not None and (not isinstance(text, str) or len(text) > REPLY_MAX_CHARS):
            raise BotFailure(f"a Rasa message text must be a string of at most {REPLY_MAX_CHARS} characters")
        if image is not None:
            if not isinstance(image, str) or not image.startswith(("http://", "https://")) or len(image) > 2000:
                raise BotFailure("a Rasa image must be an http(s) address")
            meta["image"] = image
        if buttons is not None:
            if not isinstance(buttons, list) or len(buttons) > 10 or not all(
                    isinstance(b, dict) and isinstance(b.get("title"), str) and b["title"].strip() for b in buttons):
                raise BotFailure("Rasa buttons must be a list of objects with a title")
            meta["buttons"] = [{"title": b["title"][:80], "payload": str(b.get("payload", ""))[:1000]}
                               for b in buttons]
        if isinstance(custom, dict) and custom.get("handover") is True:
            skill = custom.get("skill")
            if skill is not None and not isinstance(skill, str | int):
                raise BotFailure("the handover skill must be a name or an id")
            answer.handover = Handover(skill=str(skill) if skill not in (None, "") else None,
                                       reason=str(custom.get("reason", ""))[:300])
        body = (text or "").strip()
        if image is not None:
            body = f"{body}\n{image}".strip()
        if not body and meta.get("buttons"):
            body = " · ".join(b["title"] for b in meta["buttons"])
        if body:
            answer.replies.append(Reply(body, meta))
    if len(answer.replies) > MAX_REPLIES:
        raise BotFailure(f"more than {MAX_REPLIES} messages in one answer")
    return answer


def call_rasa(bot: Chatbot, conversation: Conversation, message: Message) -> BotAnswer:
    body = json.dumps(rasa_payload(conversation, message), separators=(",", ":")).encode()
    return parse_rasa_answer(*_post(bot, body))


def call(bot: Chatbot, conversation: Conversation, message: Message) -> BotAnswer:
    """Forward one visitor message to the bot on its platform's protocol."""
    from .models import Platform

    if bot.platform == Platform.RASA:
        return call_rasa(bot, conversation, message)
    return call_webhook(bot, conversation, message)
