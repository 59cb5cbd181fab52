"""Complete conversations with a real HTTP bot (BOT-2, BOT-3): the visitor talks to the bot, the
bot hands over with a skill, an agent chats while the bot hears nothing, the agent restarts the
bot and it answers again. Once on our generic protocol, once on Rasa's REST channel."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _messages(conversation):
    return list(conversation.messages.order_by("created_at", "id").values_list("sender", "body"))


def _kinds(conversation):
    return list(conversation.events.order_by("id").values_list("kind", flat=True))


def test_bot2_bot3_webhook_conversation_handover_and_restart(connect_bot, fake_bot, say, visitor, agent, open_org,
                                                             run_commits):
    from interact.admin_portal.models import Skill
    from interact.bots import services
    from interact.bots.models import BotPause, PauseReason
    from interact.conversations import services as conversations
    from interact.conversations.models import SenderKind, Status

    billing = Skill.objects.create(organisation=open_org, name="Billing")
    billing.members.add(agent)
    bot = connect_bot("webhook")

    # The visitor writes: the bot gets a signed request and answers inline.
    fake_bot.webhook_reply("Bonjour ! Je suis l'assistant.", "Que puis-je faire pour vous ?")
    conversation = say("Bonjour")
    assert conversation.status == Status.BOT and conversation.assignee_id is None
    request = fake_bot.last
    assert request.signature_ok is True
    assert request.json["event"] == "message" and request.json["bot"] == bot.pk
    assert request.json["message"]["text"] == "Bonjour"
    assert request.json["conversation"]["id"] == conversation.pk
    assert request.json["visitor"] == {"id": visitor.pk, "name": str(visitor.name), "language": "fr"}
    assert _messages(conversation)[-2:] == [(SenderKind.BOT, "Bonjour ! Je suis l'assistant."),
                                            (SenderKind.BOT, "Que puis-je faire pour vous ?")]
    assert "conversation.bot" in _kinds(conversation)

    # The visitor asks for a person; the bot hands over with a skill name.
    fake_bot.webhook_reply("Je vous passe un collègue.", handover={"skill": "billing"})
    conversation = say("Je veux parler à une personne")
    assert conversation.status == Status.QUEUED
    assert list(conversation.skills.all()) == [billing]
    assert BotPause.objects.get(visitor=visitor).reason == PauseReason.HANDOVER
    assert "bot.handover" in _kinds(conversation) and "conversation.queued" in _kinds(conversation)
    calls = fake_bot.count

    # An agent with the skill takes it and chats; the visitor's messages do not reach the bot.
    with run_commits():
        conversations.take(conversation, agent)
        conversations.send_reply(conversation, agent, "Bonjour, je regarde votre facture.")
    conversation = say("Merci !")
    assert conversation.status == Status.ACTIVE and conversation.assignee_id == agent.pk
    assert fake_bot.count == calls, "the bot must not hear a paused visitor"

    # The agent restarts the bot: the conversation goes back to it, and it answers again.
    with run_commits():
        services.restart(visitor, agent)
    conversation.refresh_from_db()
    assert conversation.status == Status.BOT and conversation.assignee_id is None
    assert not BotPause.objects.filter(visitor=visitor).exists()
    assert "bot.restarted" in _kinds(conversation)
    fake_bot.webhook_reply("Re-bonjour !")
    conversation = say("Encore une question")
    assert fake_bot.count == calls + 1
    assert _messages(conversation)[-1] == (SenderKind.BOT, "Re-bonjour !")


def test_bot3_rasa_conversation_with_image_buttons_and_custom_handover(connect_bot, fake_bot, say, visitor, agent,
                                                                       open_org, run_commits):
    from interact.admin_portal.models import Skill
    from interact.bots import services
    from interact.conversations import services as conversations
    from interact.conversations.models import SenderKind, Status

    skill = Skill.objects.create(organisation=open_org, name="Returns")
    connect_bot("rasa")

    fake_bot.rasa_reply("Hi! I am Rasa.", {"image": "https://cdn.example/cat.png"},
                        {"text": "Pick one", "buttons": [{"title": "Orders", "payload": "/orders"},
                                                         {"title": "Returns", "payload": "/returns"}]})
    conversation = say("hello")
    sent = fake_bot.last.json
    assert sent["sender"] == f"interact-visitor-{visitor.pk}" and sent["message"] == "hello"
    assert fake_bot.last.signature_ok is True
    bot_messages = list(conversation.messages.filter(sender=SenderKind.BOT).order_by("id"))
    assert [m.body for m in bot_messages] == ["Hi! I am Rasa.", "https://cdn.example/cat.png", "Pick one"]
    assert bot_messages[1].meta == {"image": "https://cdn.example/cat.png"}
    assert [b["title"] for b in bot_messages[2].meta["buttons"]] == ["Orders", "Returns"]

    # Rasa's custom payload asks for a person, naming the skill by id.
    fake_bot.rasa_reply("One moment.", {"custom": {"handover": True, "skill": str(skill.pk)}})
    conversation = say("I want a human")
    assert conversation.status == Status.QUEUED and list(conversation.skills.all()) == [skill]
    calls = fake_bot.count
    with run_commits():
        conversations.take(conversation, agent)
    say("are you there?")
    assert fake_bot.count == calls
    with run_commits():
        services.restart(visitor, agent)
    fake_bot.rasa_reply("Back again.")
    conversation = say("thanks")
    assert fake_bot.count == calls + 1 and conversation.status == Status.BOT


def test_bot2_end_user_pauses_then_the_bot_stays_silent_even_for_a_new_conversation(
        connect_bot, fake_bot, say, visitor, agent, run_commits):
    from interact.bots import services
    from interact.bots.models import BotPause, PauseReason
    from interact.conversations import services as conversations
    from interact.conversations.models import Status

    connect_bot()
    fake_bot.webhook_reply("Hello from the bot")
    conversation = say("hi")
    with run_commits():
        services.pause(conversation, agent)
    conversation.refresh_from_db()
    assert conversation.status == Status.ACTIVE and conversation.assignee_id == agent.pk
    assert BotPause.objects.get(visitor=visitor).reason == PauseReason.END_USER
    kinds = _kinds(conversation)
    assert "bot.paused" in kinds and "conversation.taken" in kinds
    calls = fake_bot.count
    say("can you help?")
    with run_commits():
        conversations.end(conversation, agent)
    # Until someone restarts the bot, the visitor stays with people, even in a new conversation.
    again = say("me again")
    assert again.pk != conversation.pk and again.status == Status.QUEUED
    assert fake_bot.count == calls


@pytest.mark.parametrize("failure", ["timeout", "http_500", "garbage", "wrong_shape", "too_many", "unreachable"])
def test_bot3_outage_hands_the_visitor_to_a_person_with_a_message_in_their_language(
        failure, connect_bot, fake_bot, say, visitor):
    from interact.bots.models import BotPause, Chatbot, PauseReason
    from interact.conversations.models import SenderKind, Status

    url = None
    if failure == "timeout":
        fake_bot.answer({"replies": [{"text": "too late"}]}, delay=1.6)
    elif failure == "http_500":
        fake_bot.answer({"error": "boom"}, status=500)
    elif failure == "garbage":
        fake_bot.answer(raw=b"<html>oops</html>")
    elif failure == "wrong_shape":
        fake_bot.answer({"replies": [{"txt": "typo"}]})
    elif failure == "too_many":
        fake_bot.answer({"replies": [{"text": f"r{i}"} for i in range(11)]})
    else:
        url = "http://127.0.0.1:9/nobody-listens"
    bot = connect_bot(timeout=1, url=url)
    conversation = say("Bonjour")
    assert conversation.status == Status.QUEUED
    system = conversation.messages.filter(sender=SenderKind.SYSTEM).get()
    assert system.body.startswith("Notre assistant n'est pas disponible")
    assert not conversation.messages.filter(sender=SenderKind.BOT).exists()
    assert BotPause.objects.get(visitor=visitor).reason == PauseReason.OUTAGE
    bot = Chatbot.objects.get(pk=bot.pk)
    assert bot.last_error and bot.last_error_at is not None


def test_bot3_outage_message_in_english_and_dutch(connect_bot, fake_bot, say, make_visitor, webchat):
    from interact.conversations.models import SenderKind

    connect_bot()
    for language, start in (("nl", "Onze assistent"), ("en", "Our assistant is unavailable")):
        fake_bot.answer(status=503)
        conversation = say("hi", who=make_visitor(webchat, language=language))
        assert conversation.messages.get(sender=SenderKind.SYSTEM).body.startswith(start)


def test_bot3_a_late_answer_after_a_pause_is_dropped(connect_bot, fake_bot, visitor, webchat, agent,
                                                     django_capture_on_commit_callbacks):
    """The bot answered while an agent paused it: the answer is checked again under the lock."""
    from interact.bots import services
    from interact.bots.protocols import BotAnswer, Reply
    from interact.conversations import services as conversations
    from interact.conversations.models import SenderKind

    bot = connect_bot()
    conversation = conversations.receive_message(webchat, visitor, "hi").message.conversation  # job not run
    services.pause(conversation, agent)
    assert services.apply_answer(conversation, bot, BotAnswer([Reply("too late")])) == []
    assert not conversation.messages.filter(sender=SenderKind.BOT).exists()


def test_bot2_disabled_or_downgraded_bot_gives_open_conversations_to_people(connect_bot, fake_bot, say, open_org):
    from interact.accounts.models import Organisation
    from interact.conversations.models import Status

    connect_bot()
    fake_bot.webhook_reply("hi")
    conversation = say("hello")
    assert conversation.status == Status.BOT
    Organisation.objects.filter(pk=open_org.pk).update(plan="pro")
    calls = fake_bot.count
    conversation = say("still there?")
    assert conversation.status == Status.QUEUED and fake_bot.count == calls


def test_bot1_disconnecting_queues_the_bots_conversations_and_forgets_pauses(connect_bot, fake_bot, say,
                                                                              make_visitor, webchat, agent,
                                                                              run_commits):
    from interact.bots import services
    from interact.bots.models import BotPause
    from interact.conversations.models import Status

    bot = connect_bot()
    fake_bot.webhook_reply("hi")
    with_bot = say("hello")
    paused_visitor = make_visitor(webchat)
    paused = say("hello", who=paused_visitor)
    with run_commits():
        services.pause(paused, agent)
        services.disconnect(bot)
    with_bot.refresh_from_db()
    assert with_bot.status == Status.QUEUED
    assert not BotPause.objects.filter(visitor=paused_visitor).exists()


def test_bot3_a_failure_after_an_agent_took_over_leaves_the_conversation_alone(connect_bot, visitor, webchat, agent):
    """The bot's request was in flight when an agent paused it: its failure is recorded on the
    bot, but the visitor gets no outage notice and the agent keeps the conversation."""
    from interact.bots import services
    from interact.bots.models import BotPause, Chatbot, PauseReason
    from interact.conversations import services as conversations
    from interact.conversations.models import SenderKind, Status

    bot = connect_bot()
    conversation = conversations.receive_message(webchat, visitor, "hi").message.conversation  # job not run
    services.pause(conversation, agent)
    services.bot_failed(conversation, bot, "no answer within 5 s")
    conversation.refresh_from_db()
    assert conversation.status == Status.ACTIVE and conversation.assignee_id == agent.pk
    assert BotPause.objects.get(visitor=visitor).reason == PauseReason.END_USER
    assert not conversation.messages.filter(sender=SenderKind.SYSTEM).exists()
    assert Chatbot.objects.get(pk=bot.pk).last_error == "no answer within 5 s"
