"""The built-in demo bot (BOT-3, demo mode only): it speaks our generic protocol, checks our
signature, answers in the visitor's language and hands over on "personne", "mens", "human"."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def demo_settings(settings):
    settings.PRODUCTION = False
    settings.DEMO = True
    return settings


def _signed(client, bot, payload):
    from interact.bots.protocols import signed_headers

    body = json.dumps(payload).encode()
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed_headers(bot.secret, body).items()
               if k.startswith("X-")}
    return client.post("/demo/bot/", data=body, content_type="application/json", **headers)


@pytest.mark.django_db
def test_bot3_demo_data_connects_the_demo_bot_which_answers_and_hands_over(demo_settings, client):
    from interact.bots.demo import DEMO_BOT_NAME
    from interact.bots.models import Chatbot
    from interact.core import demo

    demo.load()
    bot = Chatbot.objects.get(name=DEMO_BOT_NAME)
    assert bot.channel.kind == "webchat" and bot.endpoint_url.endswith("/demo/bot/")

    hello = _signed(client, bot, {"bot": bot.pk, "message": {"text": "Bonjour"}, "visitor": {"language": "fr"}})
    assert hello.status_code == 200 and "bot de démonstration" in hello.json()["replies"][0]["text"]
    human = _signed(client, bot, {"bot": bot.pk, "message": {"text": "Ik wil een mens"}, "visitor": {"language": "nl"}})
    assert human.json()["handover"] == {} and "collega" in human.json()["replies"][0]["text"]
    invoice = _signed(client, bot, {"bot": bot.pk, "message": {"text": "my invoice is wrong"}, "visitor": {}})
    assert invoice.json()["handover"] == {"skill": "Billing"}

    forged = client.post("/demo/bot/", data=json.dumps({"bot": bot.pk, "message": {"text": "hi"}}),
                         content_type="application/json", HTTP_X_INTERACT_TIMESTAMP="1",
                         HTTP_X_INTERACT_SIGNATURE="sha256=00")
    assert forged.status_code == 401
    assert client.post("/demo/bot/", data="garbage", content_type="application/json").status_code == 400
    assert client.get("/demo/bot/").status_code == 405


@pytest.mark.django_db
def test_bot3_demo_bot_does_not_exist_outside_demo_mode(settings, client):
    settings.DEMO = False
    assert client.post("/demo/bot/", data="{}", content_type="application/json").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_bot2_demo_conversation_over_http_ends_with_a_person(demo_settings, live_server):
    """The demo website chat, its demo bot served over real HTTP, and a handover on "personne"."""
    from interact.bots.demo import DEMO_BOT_NAME
    from interact.bots.models import BotPause, Chatbot
    from interact.connectors import webchat
    from interact.conversations import services
    from interact.conversations.models import SenderKind, Status
    from interact.core import demo

    demo.load()
    bot = Chatbot.objects.get(name=DEMO_BOT_NAME)
    Chatbot.objects.filter(pk=bot.pk).update(endpoint_url=live_server.url + "/demo/bot/")
    visitor = webchat.visitor_for(bot.channel, webchat.identify(bot.channel), language="fr")
    conversation = services.receive_message(bot.channel, visitor, "Quelles sont vos heures d'ouverture ?") \
        .message.conversation
    conversation.refresh_from_db()
    assert conversation.status == Status.BOT
    assert "du lundi au vendredi" in conversation.messages.filter(sender=SenderKind.BOT).get().body
    services.receive_message(bot.channel, visitor, "Je voudrais parler à une personne")
    conversation.refresh_from_db()
    assert conversation.status == Status.QUEUED
    assert BotPause.objects.get(visitor=visitor).reason == "handover"
