"""Every write of the bots context (BOT-1..3): connecting a bot, its credentials, and the handover
between the bot and people.

The handover rules, in one place:

* a visitor's conversation starts with the bot (status ``bot``) when the channel has an active
  bot that is not paused for that visitor (:func:`interact.bots.selectors.bot_answers`);
* pausing (an end user takes over, the bot asks for a person, or the bot fails) writes a
  :class:`BotPause` row; while it exists the platform forwards nothing to the bot for that
  visitor, whatever the bot does, and new conversations go to people;
* restarting deletes the row and gives the open conversation back to the bot.

Transitions lock the conversation row like the conversation services do, and record events so
every inbox updates live.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from interact.accounts.models import Organisation, User
from interact.admin_portal.models import Skill
from interact.connectors.base import connector_for
from interact.connectors.models import Channel
from interact.conversations import events
from interact.conversations.models import OPEN_STATUSES, Conversation, Message, SenderKind, Status, Visitor
from interact.conversations.services import (
    _locked,
    _offer,
    _send_away_message_if_closed,
    _store_outbound,
    broadcast_queue_positions,
    conversation_payload,
    start_chat,
)
from interact.core import clock
from interact.core.crypto import encrypt
from interact.core.errors import Conflict, ServiceError
from interact.core.permissions import has_perm
from interact.core.plans import Feature, require_feature

from .models import BotPause, Chatbot, PauseReason, Platform
from .protocols import BotAnswer, Reply, address_problem
from .selectors import active_bot

log = logging.getLogger(__name__)

API_KEY_PREFIX = "ikb_"
TIMEOUT_MIN, TIMEOUT_MAX = 1, 30

# What the visitor reads when the bot fails (BOT-3): in their language, never a technical reason.
OUTAGE_NOTICE = {
    "en": "Our assistant is unavailable right now; a person will answer you shortly.",
    "fr": "Notre assistant n'est pas disponible pour le moment ; une personne va vous répondre sous peu.",
    "nl": "Onze assistent is momenteel niet beschikbaar; een medewerker antwoordt u zo meteen.",
}


def outage_notice(language: str) -> str:
    return OUTAGE_NOTICE.get((language or "en")[:2].lower(), OUTAGE_NOTICE["en"])


# --- credentials ---------------------------------------------------------------------------------

def hash_api_key(key: str) -> str:
    """Only this digest is stored: a database dump does not let anyone speak as the bot."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_api_key() -> tuple[str, str, str]:
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_api_key(key), key[:8]


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class BotData:
    channel_id: int | None
    name: str
    platform: str
    endpoint_url: str
    timeout_seconds: int = 8
    is_enabled: bool = True


@dataclass
class Credentials:
    """Shown once, right after they are made; afterwards only the key's first characters are."""

    bot: Chatbot
    secret: str | None = None
    api_key: str | None = None


def _ensure(user: User, permission: str) -> None:
    if not has_perm(user, permission):
        raise ServiceError("forbidden", _("You do not have permission to do this."), status=403)
    require_feature(user.organisation, Feature.CHATBOT)


def bot_channels(organisation: Organisation, *, current: Chatbot | None = None):
    """Channels a bot may be connected to: transports that support bots, without a bot yet."""
    kinds = [kind for kind, _label in Channel._meta.get_field("kind").choices if _supports_bots(kind)]
    qs = Channel.objects.for_org(organisation).filter(kind__in=kinds)
    taken = Chatbot.objects.for_org(organisation).values_list("channel_id", flat=True)
    if current is not None:
        taken = taken.exclude(pk=current.pk)
    return qs.exclude(pk__in=taken).order_by("name")


def _supports_bots(kind: str) -> bool:
    try:
        return connector_for(kind).supports_bots
    except LookupError:
        return False


def _clean(organisation: Organisation, data: BotData, instance: Chatbot | None) -> Channel:
    name = (data.name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError("invalid_name", _("Give the bot a name of at most 100 characters."), field="name")
    data.name = name
    if data.platform not in Platform.values:
        raise ServiceError("invalid_platform", _("Choose a supported bot platform."), field="platform")
    url = (data.endpoint_url or "").strip()
    if len(url) > 500 or not url.lower().startswith(("http://", "https://")):
        raise ServiceError("invalid_endpoint_url", _("The bot address must start with http:// or https://."),
                           field="endpoint_url")
    problem = address_problem(url)
    if problem:
        raise ServiceError("invalid_endpoint_url", _("This bot address cannot be used: %(problem)s.")
                           % {"problem": problem}, field="endpoint_url")
    data.endpoint_url = url
    if isinstance(data.timeout_seconds, bool) or not isinstance(data.timeout_seconds, int) \
            or not TIMEOUT_MIN <= data.timeout_seconds <= TIMEOUT_MAX:
        raise ServiceError("invalid_timeout", _("The time-out is between 1 and 30 seconds."),
                           field="timeout_seconds")
    channel = Channel.objects.for_org(organisation).filter(pk=data.channel_id).first()
    if channel is None:
        raise ServiceError("invalid_channel", _("Choose one of your channels."), field="channel")
    if not _supports_bots(channel.kind):
        raise ServiceError("channel_without_bots", _("Chatbots cannot answer on this channel."), field="channel")
    other = Chatbot.objects.filter(channel=channel).exclude(pk=instance.pk if instance else None).first()
    if other is not None:
        raise Conflict("channel_has_bot", _("%(channel)s already has a bot: %(bot)s.")
                       % {"channel": channel.name, "bot": other.name}, field="channel")
    return channel


@transaction.atomic
def connect(organisation: Organisation, data: BotData, by: User | None) -> Credentials:
    """BOT-1: connect a bot to a channel. Returns the secret and the API key, shown only now."""
    require_feature(organisation, Feature.CHATBOT)
    channel = _clean(organisation, data, None)
    key, digest, hint = _new_api_key()
    secret = _new_secret()
    bot = Chatbot.objects.create(
        organisation=organisation, channel=channel, name=data.name, platform=data.platform,
        endpoint_url=data.endpoint_url, timeout_seconds=data.timeout_seconds, is_enabled=data.is_enabled,
        secret_encrypted=encrypt(secret), api_key_hash=digest, api_key_hint=hint, created_by=by,
        created_at=clock.now())
    log.info("bot connected", extra={"bot": bot.pk, "channel": channel.pk, "platform": bot.platform})
    return Credentials(bot, secret=secret, api_key=key)


@transaction.atomic
def update(bot: Chatbot, data: BotData) -> Chatbot:
    require_feature(bot.organisation, Feature.CHATBOT)
    bot = Chatbot.objects.select_for_update().get(pk=bot.pk)
    channel = _clean(bot.organisation, data, bot)
    moved = channel.pk != bot.channel_id
    was_enabled = bot.is_enabled
    old_channel_id = bot.channel_id
    bot.channel, bot.name, bot.platform = channel, data.name, data.platform
    bot.endpoint_url, bot.timeout_seconds, bot.is_enabled = data.endpoint_url, data.timeout_seconds, data.is_enabled
    bot.save()
    if moved or (was_enabled and not bot.is_enabled):
        _hand_all_to_people(old_channel_id)
    if moved:
        BotPause.objects.filter(visitor__channel_id=old_channel_id).delete()
    return bot


@transaction.atomic
def disconnect(bot: Chatbot) -> None:
    """The bot's open conversations go to the queue; pauses are forgotten, so a bot connected
    later starts afresh with every visitor."""
    require_feature(bot.organisation, Feature.CHATBOT)
    channel_id = bot.channel_id
    Chatbot.objects.filter(pk=bot.pk).delete()
    _hand_all_to_people(channel_id)
    BotPause.objects.filter(visitor__channel_id=channel_id).delete()


def _hand_all_to_people(channel_id: int) -> None:
    for conversation in Conversation.objects.filter(channel_id=channel_id, status=Status.BOT):
        _queue(conversation, pause_reason=None)


@transaction.atomic
def rotate_api_key(bot: Chatbot) -> str:
    """A new key for the bot's calls to our API; the old one stops working at once."""
    key, digest, hint = _new_api_key()
    Chatbot.objects.filter(pk=bot.pk).update(api_key_hash=digest, api_key_hint=hint)
    bot.api_key_hash, bot.api_key_hint = digest, hint
    return key


@transaction.atomic
def rotate_secret(bot: Chatbot) -> str:
    """A new signing secret; requests are signed with it from now on."""
    secret = _new_secret()
    Chatbot.objects.filter(pk=bot.pk).update(secret_encrypted=encrypt(secret))
    bot.secret_encrypted = encrypt(secret)
    return secret


def record_error(bot: Chatbot, reason: str) -> None:
    """Shown on the bot's page in the portal, so an Administrator sees why people got the chats."""
    Chatbot.objects.filter(pk=bot.pk).update(last_error=reason[:1000], last_error_at=clock.now())


def bot_for_key(key: str) -> Chatbot | None:
    """The bot presenting this API key. A lookup by the key's SHA-256 (unique index): the time it
    takes says nothing about how close a guess was to a real key."""
    if not isinstance(key, str) or not key.startswith(API_KEY_PREFIX) or len(key) > 200:
        return None
    return Chatbot.objects.select_related("organisation", "channel").filter(api_key_hash=hash_api_key(key)).first()


# --- handover (BOT-2) ------------------------------------------------------------------------------

def _event(conversation: Conversation, kind: str, **extra) -> None:
    events.record(conversation, kind, {**conversation_payload(conversation), **extra})


def _set_pause(visitor: Visitor, reason: str, *, by: User | None = None, detail: str = "",
               keep: bool = False) -> BotPause:
    now = clock.now()
    pause = BotPause.objects.select_for_update().filter(visitor=visitor).first()
    if pause is None:
        return BotPause.objects.create(organisation_id=visitor.organisation_id, visitor=visitor, reason=reason,
                                       paused_by=by, detail=detail[:300], paused_at=now)
    if not keep:
        pause.reason, pause.paused_by, pause.detail, pause.paused_at = reason, by, detail[:300], now
        pause.save(update_fields=["reason", "paused_by", "detail", "paused_at"])
    return pause


def _open_of(visitor: Visitor) -> Conversation | None:
    found = Conversation.objects.filter(visitor=visitor, status__in=OPEN_STATUSES).first()
    return _locked(found) if found else None


def pause(target: Conversation | Visitor, by: User) -> Conversation | None:
    """BOT-2: an end user pauses the bot for this visitor and takes their open conversation."""
    _ensure(by, "bots.handover")
    if not has_perm(by, "conversations.handle"):
        raise ServiceError("forbidden", _("You may not handle conversations."), status=403)
    visitor = target.visitor if isinstance(target, Conversation) else target
    if visitor.organisation_id != by.organisation_id:
        raise ServiceError("not_found", _("No such visitor."), status=404)
    with transaction.atomic():
        conversation = _open_of(visitor)
        if active_bot(visitor.channel) is None and not BotPause.objects.filter(visitor=visitor).exists():
            raise Conflict("no_bot", _("No chatbot answers on this channel."))
        _set_pause(visitor, PauseReason.END_USER, by=by, keep=True)
        if conversation is None:
            return None
        if conversation.status == Status.BOT:
            start_chat(conversation, by)
        _event(conversation, "bot.paused", reason=PauseReason.END_USER, by=by.pk)
        return conversation


def restart(visitor: Visitor, by: User) -> Conversation | None:
    """BOT-2: the bot answers this visitor again; their open conversation goes back to it."""
    _ensure(by, "bots.handover")
    if visitor.organisation_id != by.organisation_id:
        raise ServiceError("not_found", _("No such visitor."), status=404)
    with transaction.atomic():
        conversation = _open_of(visitor)
        bot = active_bot(visitor.channel)
        if bot is None:
            raise Conflict("no_bot", _("No chatbot answers on this channel."))
        if conversation is not None and conversation.assignee_id not in (by.pk, None) \
                and not has_perm(by, "conversations.dispatch"):
            raise ServiceError("forbidden", _("Only the end user chatting, an Administrator or a Supervisor can "
                                              "give this conversation back to the bot."), status=403)
        BotPause.objects.filter(visitor=visitor).delete()
        if conversation is None:
            return None
        was_queued = conversation.status == Status.QUEUED
        if conversation.status != Status.BOT:
            conversation.status = Status.BOT
            conversation.assignee = None
            conversation.offered_to = None
            conversation.offered_at = None
            conversation.save(update_fields=["status", "assignee", "offered_to", "offered_at"])
        _event(conversation, "bot.restarted", by=by.pk)
        if was_queued:
            broadcast_queue_positions(conversation.organisation_id)
        return conversation


def resolve_skill(organisation_id: int, hint: str | None) -> Skill | None:
    """A bot names a skill by id or by name (case does not matter); an unknown hint is ignored,
    the visitor still goes to a person."""
    if not hint:
        return None
    hint = str(hint).strip()
    qs = Skill.objects.filter(organisation_id=organisation_id)
    if hint.isdigit():
        found = qs.filter(pk=int(hint)).first()
        if found:
            return found
    return qs.filter(name__iexact=hint).first()


def _queue(conversation: Conversation, *, pause_reason: str | None, skill: str | None = None,
           detail: str = "", notice: str | None = None) -> Conversation:
    """BOT → QUEUED: the conversation joins the queue now, with the skill the bot asked for."""
    conversation = _locked(conversation)
    if conversation.status != Status.BOT:
        return conversation  # a person has it already; their pause (if any) stays as it is
    if pause_reason is not None:
        _set_pause(conversation.visitor, pause_reason, detail=detail)
    now = clock.now()
    found = resolve_skill(conversation.organisation_id, skill)
    if notice:
        _store_outbound(conversation, notice, sender=SenderKind.SYSTEM, author=None, now=now)
    conversation.status = Status.QUEUED
    conversation.queued_at = now
    conversation.offered_to = None
    conversation.offered_at = None
    conversation.save(update_fields=["status", "queued_at", "offered_to", "offered_at"])
    if found is not None:
        conversation.skills.add(found)
    skills = sorted(conversation.skills.values_list("pk", flat=True))
    _event(conversation, "bot.handover", reason=pause_reason or "", skill=skill or "",
           skill_id=found.pk if found else None)
    _event(conversation, "conversation.queued", skills=skills)
    _send_away_message_if_closed(conversation, conversation.channel, now)
    _offer(conversation, now)
    broadcast_queue_positions(conversation.organisation_id)
    return conversation


@transaction.atomic
def request_handover(conversation: Conversation, *, skill: str | None = None, reason: str = PauseReason.HANDOVER,
                     detail: str = "") -> Conversation:
    """The bot asks for a person: pause it for the visitor and queue the conversation (routing
    offers it to someone with the skill the bot named)."""
    return _queue(conversation, pause_reason=reason, skill=skill, detail=detail)


@transaction.atomic
def bot_failed(conversation: Conversation, bot: Chatbot | None, reason: str) -> Conversation:
    """BOT-3: a bot that times out or answers garbage never leaves the visitor waiting: they are
    told a person will answer and the conversation joins the queue."""
    if bot is not None:
        record_error(bot, reason)
    log.warning("bot failed", extra={"bot": bot.pk if bot else None, "conversation": conversation.pk,
                                     "reason": reason})
    language = conversation.language or conversation.visitor.language
    return _queue(conversation, pause_reason=PauseReason.OUTAGE, detail=reason,
                  notice=outage_notice(language))


@transaction.atomic
def bot_gone(conversation: Conversation) -> Conversation:
    """The channel's bot was disabled or the plan no longer includes it: people take over."""
    language = conversation.language or conversation.visitor.language
    return _queue(conversation, pause_reason=None, notice=outage_notice(language))


def _store_bot_message(conversation: Conversation, reply: Reply, now: dt.datetime) -> Message:
    return _store_outbound(conversation, reply.text[:5000], sender=SenderKind.BOT, author=None, now=now,
                           meta=reply.meta)


_NO_LONGER_THE_BOTS = {
    "bot_paused": "The bot is paused for this visitor; a person answers them now.",
    "not_with_bot": "This conversation is not with the bot any more.",
    "bot_inactive": "This bot is disabled or the plan no longer includes chatbots.",
}


def _ensure_still_the_bots(conversation: Conversation, bot: Chatbot) -> None:
    """The bot API's 409s: a late answer or handover after people took over changes nothing."""
    why = _still_the_bots(conversation, bot)
    if why:
        raise Conflict(why, _NO_LONGER_THE_BOTS[why])


def _still_the_bots(conversation: Conversation, bot: Chatbot) -> str | None:
    """Why the bot may no longer speak in this conversation, or ``None``."""
    if BotPause.objects.filter(visitor_id=conversation.visitor_id).exists():
        return "bot_paused"
    if conversation.status != Status.BOT:
        return "not_with_bot"
    current = active_bot(conversation.channel)
    if current is None or current.pk != bot.pk:
        return "bot_inactive"
    return None


@transaction.atomic
def apply_answer(conversation: Conversation, bot: Chatbot, answer: BotAnswer) -> list[Message]:
    """Store an inline answer, unless a person took over meanwhile (checked under the lock: a
    late answer must not reach a visitor who is now talking to someone)."""
    conversation = _locked(conversation)
    why = _still_the_bots(conversation, bot)
    if why:
        log.info("bot answer dropped", extra={"conversation": conversation.pk, "why": why})
        return []
    now = clock.now()
    stored = [_store_bot_message(conversation, reply, now) for reply in answer.replies]
    if answer.handover is not None:
        _queue(conversation, pause_reason=PauseReason.HANDOVER, skill=answer.handover.skill,
               detail=answer.handover.reason)
    return stored


@transaction.atomic
def post_from_bot(bot: Chatbot, conversation: Conversation, reply: Reply) -> Message:
    """A later answer through the bot API. Refused with 409 once the bot is paused for the visitor."""
    conversation = _locked(conversation)
    _ensure_still_the_bots(conversation, bot)
    return _store_bot_message(conversation, reply, clock.now())


@transaction.atomic
def handover_from_bot(bot: Chatbot, conversation: Conversation, skill: str | None, reason: str = "") -> Conversation:
    conversation = _locked(conversation)
    _ensure_still_the_bots(conversation, bot)
    return _queue(conversation, pause_reason=PauseReason.HANDOVER, skill=skill, detail=reason)
