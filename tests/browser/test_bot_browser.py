"""Handover in the live inbox, in Debian's Chromium (BOT-2): a conversation with a real HTTP bot
shows up under "With the chatbot", the agent pauses the bot and takes over, chats while the bot
hears nothing, restarts the bot, and the bot's next answer appears live."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def _fakes():
    spec = importlib.util.spec_from_file_location("bot_fakes", Path(__file__).parents[1] / "bots" / "fakes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bot_fakes", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_bot(settings):
    settings.BOTS_ALLOW_PRIVATE_NETWORKS = True  # the fake listens on 127.0.0.1
    bot = _fakes().FakeBot().start()
    yield bot
    bot.stop()


@pytest.fixture
def scene(org, admin, make_user, fake_bot):
    import datetime as dt

    from interact.admin_portal.models import OfficeHoursPeriod
    from interact.bots import services as bots
    from interact.connectors import webchat as connector
    from interact.connectors.models import Channel, ChannelKind
    from interact.conversations import services

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 59))
    webchat = Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Website")
    agent = make_user(org, "agent", first_name="Ada", last_name="Lovelace")
    webchat.members.add(agent)
    created = bots.connect(org, bots.BotData(webchat.pk, "Shop assistant", "webhook", fake_bot.url, 5), admin)
    fake_bot.secret = created.secret
    visitor = connector.visitor_for(webchat, connector.identify(webchat), language="en")
    services.update_visitor(visitor, admin, first_name="Marie", last_name="Dupont")
    return {"agent": agent, "visitor": visitor, "channel": webchat}


def test_bot2_agent_pauses_the_bot_takes_over_and_restarts_it(live_page, scene, fake_bot, shot, sign_in):
    from interact.conversations import services
    from interact.conversations.models import Conversation, Status

    page = live_page
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, scene["agent"].email)
    page.goto(page.base + "/portal/inbox/")
    page.wait_for_selector("#live-state[data-state=live]")

    # The visitor talks with the bot; the conversation appears under "With the chatbot" live.
    fake_bot.webhook_reply("Hello! I am the shop assistant. Ask me about opening hours or delivery.")
    conv = services.receive_message(scene["channel"], scene["visitor"], "Hi, my parcel is late").message.conversation
    assert fake_bot.last.signature_ok
    item = page.wait_for_selector(f'.conv-item[data-section="bot"][data-id="{conv.pk}"]')
    item.click()
    page.wait_for_url(re.compile(rf".*/portal/inbox/{conv.pk}/$"))
    page.wait_for_selector(".msg-bot >> text=shop assistant")
    page.wait_for_selector("#live-state[data-state=live]")
    assert page.locator("#composer").count() == 0
    shot(page, "bot-with-the-chatbot")

    # Pause the bot and take over.
    page.click("button[data-action=pause-bot]")
    page.wait_for_selector("[data-bot=paused]")
    page.wait_for_selector("#composer textarea")
    page.wait_for_selector(f'.conv-item[data-section="mine"][data-id="{conv.pk}"]')
    page.fill("#composer textarea", "Hello Marie, I am Ada. Let me check your parcel.")
    page.press("#composer textarea", "Enter")
    page.wait_for_selector(".msg-agent >> text=Let me check your parcel")

    calls = fake_bot.count
    services.receive_message(scene["channel"], scene["visitor"], "Thank you Ada!")
    page.wait_for_selector(".msg-visitor >> text=Thank you Ada!")
    assert fake_bot.count == calls, "the paused bot must not hear the visitor"
    shot(page, "bot-paused-agent-chatting")

    # Restart the bot: the conversation goes back to it and its next answer shows up live.
    page.click("button[data-action=restart-bot]")
    page.wait_for_selector("[data-bot=active]")
    assert page.locator("[data-bot=paused]").count() == 0
    assert Conversation.objects.get(pk=conv.pk).status == Status.BOT
    page.wait_for_selector(f'.conv-item[data-section="bot"][data-id="{conv.pk}"]')
    page.wait_for_selector(f'.conv-item[data-section="mine"][data-id="{conv.pk}"]', state="detached")
    fake_bot.webhook_reply("I'm back. Anything else about your order?")
    services.receive_message(scene["channel"], scene["visitor"], "One more question")
    page.wait_for_selector(".msg-bot >> text=I'm back")
    assert fake_bot.count == calls + 1
    shot(page, "bot-restarted")
