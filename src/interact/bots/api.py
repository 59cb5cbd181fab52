"""API of chatbots (BOT-1..3, Bot plan).

Three audiences:

* Administrators connect bots (``/bots``, permission ``bots.manage``);
* Administrators, Supervisors and Agents pause and restart the bot for a visitor
  (``/conversations/{id}/bot/pause``, ``/visitors/{id}/bot``; permission ``bots.handover``);
* the bot itself answers later and asks for a person (``/bot/v1/...``), authenticated by its own
  API key — never a user's session, so no CSRF token either (docs/bots.md).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from interact.conversations import selectors as conversation_selectors
from interact.conversations.models import MESSAGE_MAX_CHARS, Conversation, Visitor
from interact.core.api import authorize
from interact.core.plans import Feature, require_feature

from . import selectors, services
from .models import Chatbot, Platform
from .protocols import Reply

router = Router(tags=["chatbots"])


class BotKeyAuth(HttpBearer):
    """``Authorization: Bearer ikb_…``: the key shown once when the bot was connected."""

    openapi_description = "The bot's own API key (`ikb_…`), shown once when the bot is connected or its key rotated."

    def authenticate(self, request: HttpRequest, token: str) -> Chatbot | None:
        bot = services.bot_for_key(token)
        if bot is None:
            return None
        require_feature(bot.organisation, Feature.CHATBOT)  # a downgraded organisation's bot: 403
        return bot


bot_auth = BotKeyAuth()


# --- administration (BOT-1) ------------------------------------------------------------------------

class BotIn(Schema):
    channel: int = Field(description="A channel whose transport supports bots (website chat, Messenger).")
    name: str = Field(min_length=1, max_length=100)
    platform: Platform = Field(description="`webhook` (our generic protocol) or `rasa` (Rasa's REST channel).")
    endpoint_url: str = Field(max_length=500, description="Where we POST visitors' messages: http(s) only.")
    timeout_seconds: int = Field(8, ge=1, le=30)
    is_enabled: bool = True


class BotOut(Schema):
    id: int
    channel: int
    channel_name: str
    name: str
    platform: str
    endpoint_url: str
    timeout_seconds: int
    is_enabled: bool
    api_key_hint: str = Field(description="The first characters of the bot's API key.")
    last_error: str
    last_error_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_channel(obj: Chatbot) -> int:
        return obj.channel_id

    @staticmethod
    def resolve_channel_name(obj: Chatbot) -> str:
        return obj.channel.name


class BotCreatedOut(BotOut):
    secret: str = Field(description="Signs our requests to the bot (HMAC-SHA256). Shown only now.")
    api_key: str = Field(description="The bot's key to call this API. Shown only now.")


class ApiKeyOut(Schema):
    bot: int
    api_key: str


class SecretOut(Schema):
    bot: int
    secret: str


def _data(payload: BotIn) -> services.BotData:
    return services.BotData(channel_id=payload.channel, name=payload.name, platform=str(payload.platform),
                            endpoint_url=payload.endpoint_url, timeout_seconds=payload.timeout_seconds,
                            is_enabled=payload.is_enabled)


def _admin(request: HttpRequest):
    return authorize(request, "bots.manage", feature=Feature.CHATBOT)


@router.get("/bots", response=list[BotOut], summary="The organisation's chatbots")
def list_bots(request: HttpRequest):
    return list(selectors.bots(_admin(request).organisation))


@router.post("/bots", response={201: BotCreatedOut}, summary="Connect a chatbot to a channel")
def create_bot(request: HttpRequest, payload: BotIn):
    user = _admin(request)
    created = services.connect(user.organisation, _data(payload), user)
    bot = selectors.bot(user.organisation, created.bot.pk)
    bot.api_key = created.api_key  # shown once; ``secret`` is the model's decrypting property
    return Status(201, bot)


@router.get("/bots/{bot_id}", response=BotOut)
def get_bot(request: HttpRequest, bot_id: int):
    return selectors.bot(_admin(request).organisation, bot_id)


@router.put("/bots/{bot_id}", response=BotOut)
def update_bot(request: HttpRequest, bot_id: int, payload: BotIn):
    org = _admin(request).organisation
    services.update(selectors.bot(org, bot_id), _data(payload))
    return selectors.bot(org, bot_id)


@router.delete("/bots/{bot_id}", response={204: None}, summary="Disconnect a chatbot; its conversations go to people")
def delete_bot(request: HttpRequest, bot_id: int):
    services.disconnect(selectors.bot(_admin(request).organisation, bot_id))
    return Status(204, None)


@router.post("/bots/{bot_id}/api-key", response=ApiKeyOut,
             summary="Replace the bot's API key; the old key stops working at once")
def rotate_bot_api_key(request: HttpRequest, bot_id: int):
    bot = selectors.bot(_admin(request).organisation, bot_id)
    return {"bot": bot.pk, "api_key": services.rotate_api_key(bot)}


@router.post("/bots/{bot_id}/secret", response=SecretOut,
             summary="Replace the signing secret; requests are signed with the new one from now on")
def rotate_bot_secret(request: HttpRequest, bot_id: int):
    bot = selectors.bot(_admin(request).organisation, bot_id)
    return {"bot": bot.pk, "secret": services.rotate_secret(bot)}


# --- handover by end users (BOT-2) -----------------------------------------------------------------

class BotStateOut(Schema):
    visitor: int
    bot: int | None = Field(description="The channel's active bot, if any.")
    active: bool = Field(description="The bot answers this visitor.")
    paused: bool
    reason: str = Field(description="`end_user`, `handover` or `outage` while paused.")
    paused_at: dt.datetime | None
    paused_by: int | None
    conversation: int | None = Field(description="The visitor's open conversation.")
    conversation_status: str | None


def _state(visitor: Visitor) -> dict:
    current = selectors.state(visitor)
    conversation = conversation_selectors.open_conversation_of(visitor.pk)
    pause = current.pause
    return {"visitor": visitor.pk, "bot": current.bot.pk if current.bot else None, "active": current.active,
            "paused": current.paused, "reason": pause.reason if pause else "",
            "paused_at": pause.paused_at if pause else None, "paused_by": pause.paused_by_id if pause else None,
            "conversation": conversation.pk if conversation else None,
            "conversation_status": conversation.status if conversation else None}


def _handover_user(request: HttpRequest):
    return authorize(request, "bots.handover", feature=Feature.CHATBOT)


def _visitor(user, visitor_id: int) -> Visitor:
    found = Visitor.objects.for_org(user.organisation).select_related("channel").filter(pk=visitor_id).first()
    if found is None:
        raise Http404
    return found


@router.get("/visitors/{visitor_id}/bot", response=BotStateOut, summary="Is the bot active or paused for this visitor")
def bot_state(request: HttpRequest, visitor_id: int):
    return _state(_visitor(_handover_user(request), visitor_id))


@router.post("/conversations/{conversation_id}/bot/pause", response=BotStateOut,
             summary="Pause the bot for this conversation's visitor and take the conversation")
def pause_bot(request: HttpRequest, conversation_id: int):
    user = _handover_user(request)
    conversation = conversation_selectors.conversation(user, conversation_id)
    services.pause(conversation, user)
    return _state(conversation.visitor)


@router.post("/visitors/{visitor_id}/bot/pause", response=BotStateOut,
             summary="Pause the bot for this visitor (their next conversation goes to people)")
def pause_bot_for_visitor(request: HttpRequest, visitor_id: int):
    user = _handover_user(request)
    visitor = _visitor(user, visitor_id)
    open_conversation = conversation_selectors.open_conversation_of(visitor.pk)
    if open_conversation is not None:
        conversation_selectors.conversation(user, open_conversation.pk)  # 404 unless they may see it
    services.pause(visitor, user)
    return _state(visitor)


@router.post("/visitors/{visitor_id}/bot/restart", response=BotStateOut,
             summary="Restart the bot for this visitor; their open conversation goes back to it")
def restart_bot(request: HttpRequest, visitor_id: int):
    user = _handover_user(request)
    visitor = _visitor(user, visitor_id)
    open_conversation = conversation_selectors.open_conversation_of(visitor.pk)
    if open_conversation is not None:
        conversation_selectors.conversation(user, open_conversation.pk)
    services.restart(visitor, user)
    return _state(visitor)


# --- the bot's own API (BOT-3) ---------------------------------------------------------------------

class ButtonIn(Schema):
    title: str = Field(min_length=1, max_length=80)
    payload: str = Field("", max_length=1000)


class BotMessageIn(Schema):
    conversation: int
    text: str = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)
    buttons: list[ButtonIn] = Field([], max_length=10)


class BotMessageOut(Schema):
    id: int
    conversation: int
    created_at: dt.datetime


class BotHandoverIn(Schema):
    conversation: int
    skill: str | None = Field(None, max_length=100, description="A skill's name or id; unknown hints are ignored.")
    reason: str = Field("", max_length=300)


class BotHandoverOut(Schema):
    conversation: int
    status: str
    skills: list[int]


def _bot_conversation(bot: Chatbot, conversation_id: int) -> Conversation:
    """Only conversations of the bot's own channel exist for it."""
    found = Conversation.objects.select_related("visitor", "channel").filter(
        pk=conversation_id, channel_id=bot.channel_id, organisation_id=bot.organisation_id).first()
    if found is None:
        raise Http404
    return found


@router.post("/bot/v1/messages", auth=bot_auth, response={201: BotMessageOut},
             summary="(Bot) Answer a visitor later; 409 once a person took over")
def bot_post_message(request: HttpRequest, data: BotMessageIn):
    bot: Chatbot = request.auth
    conversation = _bot_conversation(bot, data.conversation)
    text = data.text.strip()
    if not text:
        from interact.core.errors import ServiceError

        raise ServiceError("empty_message", "A message cannot be empty.", field="text")
    meta = {"buttons": [b.model_dump() for b in data.buttons]} if data.buttons else {}
    message = services.post_from_bot(bot, conversation, Reply(text, meta))
    return Status(201, {"id": message.pk, "conversation": conversation.pk, "created_at": message.created_at})


@router.post("/bot/v1/handover", auth=bot_auth, response=BotHandoverOut,
             summary="(Bot) Ask for a person: the bot is paused for the visitor and the conversation queued")
def bot_request_handover(request: HttpRequest, data: BotHandoverIn):
    bot: Chatbot = request.auth
    conversation = services.handover_from_bot(bot, _bot_conversation(bot, data.conversation), data.skill,
                                              data.reason)
    return {"conversation": conversation.pk, "status": conversation.status,
            "skills": sorted(conversation.skills.values_list("pk", flat=True))}
