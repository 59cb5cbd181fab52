"""Reads of the bots context: which bot answers a channel, and whether it is paused for a visitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
