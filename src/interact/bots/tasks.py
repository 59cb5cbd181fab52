"""The job that forwards a visitor's message to the channel's bot (BOT-2, BOT-3).

Queued by :func:`interact.conversations.services.receive_message` after the message is stored.
The HTTP call happens outside any transaction (a slow bot must not hold row locks); what the bot
answered is stored by :func:`services.apply_answer`, which checks again under the lock that the
bot still owns the conversation.
"""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from interact.conversations.models import Message, Status

from . import protocols, services
from .selectors import active_bot, is_paused

log = logging.getLogger(__name__)


@db_task()
def forward_to_bot(message_id: int) -> None:
    """Send one visitor message to the bot; never retried by huey: a failing bot hands the
    visitor to a person at once rather than keeping them waiting through retries."""
    message = (Message.objects.select_related("conversation", "conversation__visitor", "conversation__channel")
               .filter(pk=message_id).first())
    if message is None:
        return
    conversation = message.conversation
    if conversation.status != Status.BOT:
        return  # a person took over before the job ran
    if is_paused(conversation.visitor):
        return
    bot = active_bot(conversation.channel)
    if bot is None:
        services.bot_gone(conversation)  # disabled, or the plan changed: people answer
        return
    try:
        answer = protocols.call(bot, conversation, message)
    except protocols.BotFailure as failure:
        services.bot_failed(conversation, bot, failure.reason)
        return
    except Exception as exc:  # a bug must not strand the visitor either
        log.exception("forwarding to the bot failed", extra={"bot": bot.pk, "message_id": message_id})
        services.bot_failed(conversation, bot, f"internal error: {type(exc).__name__}")
        return
    services.apply_answer(conversation, bot, answer)
