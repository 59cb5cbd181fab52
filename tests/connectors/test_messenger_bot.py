"""BOT-1..3 with CHN-2: a chatbot on the Messenger channel. The visitor's Messenger messages reach
the bot, the bot's replies leave through the Send API, and a handover queues the conversation for
people — whose replies also go out through Messenger. Page comments cannot have a bot (BOT-1)."""

from __future__ import annotations

import pytest

from interact.conversations.models import Conversation, Delivery, Message, SenderKind, Status

from .conftest import PAGE_ID, page_body, text_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_bot(settings):
    from tests.bots.fakes import FakeBot

    settings.BOTS_ALLOW_PRIVATE_NETWORKS = True
    bot = FakeBot().start()
    yield bot
    bot.stop()


@pytest.fixture
def messenger_bot(messenger, comments, admin, fake_bot):
    from interact.bots import services

    created = services.connect(messenger.organisation, services.BotData(
        channel_id=messenger.pk, name="Messenger helper", platform="rasa", endpoint_url=fake_bot.url,
        timeout_seconds=5), admin)
    return created.bot


def test_bot2_chn2_a_messenger_conversation_with_the_bot_then_a_person(messenger_bot, fake_bot, deliver, graph,
                                                                        always_open, make_user, org):
    from interact.conversations import services

    fake_bot.rasa_reply("Hoi! Ik ben de assistent.")
    deliver(page_body(messaging=[text_event("9101", "Hallo", mid="m_b1")]))
    conversation = Conversation.objects.get()
    assert conversation.status == Status.BOT
    request = fake_bot.last.json
    assert (request["sender"], request["message"]) == (f"interact-visitor-{conversation.visitor_id}", "Hallo")
    bot_reply = Message.objects.get(sender=SenderKind.BOT)
    assert bot_reply.delivery == Delivery.SENT
    assert graph.sent(f"{PAGE_ID}/messages")[-1].body["message"]["text"] == "Hoi! Ik ben de assistent."

    fake_bot.rasa_reply({"custom": {"handover": True}})
    deliver(page_body(messaging=[text_event("9101", "Ik wil een mens spreken", mid="m_b2")]))
    conversation.refresh_from_db()
    assert conversation.status == Status.QUEUED
    calls = len(fake_bot.requests)
    agent = make_user(org, "agent")
    with_agent = services.take(conversation, agent)
    reply = services.send_reply(with_agent, agent, "Dag! Ik help u verder.")
    from interact.conversations import tasks

    tasks.deliver_message.call_local(reply.pk)
    assert graph.sent(f"{PAGE_ID}/messages")[-1].body["message"]["text"] == "Dag! Ik help u verder."
    deliver(page_body(messaging=[text_event("9101", "Bedankt", mid="m_b3")]))
    assert len(fake_bot.requests) == calls  # paused: the bot hears nothing more


def test_bot1_page_comments_cannot_have_a_bot(comments, admin, fake_bot):
    from interact.bots import services
    from interact.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        services.connect(comments.organisation, services.BotData(
            channel_id=comments.pk, name="No", platform="webhook", endpoint_url=fake_bot.url, timeout_seconds=5),
            admin)
    assert refused.value.code in {"channel_without_bots", "invalid_channel", "unsupported_channel"}
