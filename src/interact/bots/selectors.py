"""Reads of the bots context: which bot answers a channel, and whether it is paused for a visitor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from interact.connectors.base import connector_for
from interact.core.plans import Feature, has_feature

from .models import BotPause, Chatbot

if TYPE_CHECKING:
    from interact.connectors.models import Channel
    from interact.conversations.models import Visitor


def active_bot(channel: Channel) -> Chatbot | None:
    """The channel's bot if it may answer at all: enabled, on a channel whose transport supports
    bots, in an organisation whose plan includes the chatbot (TEN-2: a downgrade stops it)."""
    bot = Chatbot.objects.filter(channel=channel, is_enabled=True).first()
    if bot is None or not connector_for(channel.kind).supports_bots:
        return None
    if not has_feature(channel.organisation, Feature.CHATBOT):
        return None
    return bot


def is_paused(visitor: Visitor) -> bool:
    return BotPause.objects.filter(visitor=visitor).exists()


def bot_answers(channel: Channel, visitor: Visitor) -> bool:
    """BOT-2: a new conversation goes to the bot unless it is paused for this visitor."""
    return active_bot(channel) is not None and not is_paused(visitor)


def bots(organisation) -> QuerySet[Chatbot]:
    return Chatbot.objects.for_org(organisation).select_related("channel").order_by("name", "pk")


def bot(organisation, pk: int) -> Chatbot:
    """One bot of the organisation; another organisation's bot is simply not found (IAM-5)."""
    found = bots(organisation).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def pause_of(visitor: Visitor) -> BotPause | None:
    return BotPause.objects.select_related("paused_by").filter(visitor=visitor).first()


@dataclass
class BotState:
    """What the inbox shows about the bot for one visitor (BOT-2)."""

    bot: Chatbot | None
    pause: BotPause | None

    @property
    def paused(self) -> bool:
        return self.pause is not None

    @property
    def active(self) -> bool:
        return self.bot is not None and self.pause is None


def state(visitor: Visitor) -> BotState:
    return BotState(active_bot(visitor.channel), pause_of(visitor))
