"""CHN-1 / CNV-8 / CNV-9 in a real browser: a visitor on the demo shop chats through the widget.

The page, the script and the visitor's websocket are served by the real ASGI application
(``asgi_server``); the agent's side is the conversations services, called from the test thread.
Playwright's CSS selectors pierce the widget's open shadow root.
"""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(make_org, asgi_server):
    """A Pro organisation with the SDK option and a website chat allowed on the test server's origin."""
    from interact.connectors.models import Channel, ChannelKind

    org = make_org(plan="pro", options=("sdk",))
    return Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Demo shop chat",
                                  away_message="Thanks! We are closed now and answer first thing tomorrow.",
                                  allowed_origins=asgi_server)


@pytest.fixture
def open_all_week(shop):
    from interact.admin_portal.models import OfficeHoursPeriod

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=shop.organisation, weekday=weekday, opens=dt.time(0, 0),
                                         closes=dt.time(23, 59))


@pytest.fixture
def anna(shop, make_user):
    return make_user(shop.organisation, "agent", first_name="Anna")


def _conversation(channel):
    from interact.conversations.models import Conversation

    return Conversation.objects.filter(channel=channel).latest("pk")


def _reply(channel, agent, body):
    from interact.conversations import services

    return services.send_reply(_conversation(channel), agent, body)


def _visit(pg, channel):
    pg.goto(f"{pg.base}/demo/site/?channel={channel.public_key}")
    pg.wait_for_selector("button.launcher")


def test_chn1_cnv9_visitor_chats_live_keeps_the_conversation_and_sees_unread_replies(
        live_page, shop, open_all_week, anna, shot):
    pg = live_page
    _visit(pg, shop)
    pg.click("button.launcher")
    pg.wait_for_selector("section.panel", state="visible")
    assert pg.evaluate("document.getElementById('interact-widget').shadowRoot.activeElement.tagName") == "TEXTAREA"
    pg.fill("textarea", "Hello, does the teak bench fit three people?")
    assert pg.text_content(".counter") == "44 / 5,000"
    pg.press("textarea", "Enter")
    pg.wait_for_selector(".msg.visitor[data-status=sent]")
    assert pg.input_value("textarea") == ""
    pg.wait_for_selector(".status:has-text('You are number 1 in the queue.')")
    shot(pg, "widget-sent-queued")

    from interact.conversations.events import visitor_group
    from interact.core.events import send_to_group

    send_to_group(visitor_group(_conversation(shop).visitor_id),
                  {"type": "visitor.typing", "typing": True, "author": "Anna"})
    pg.wait_for_selector(".status:has-text('Anna is typing…')")
    _reply(shop, anna, "Hi! Yes, it seats three comfortably.")
    pg.wait_for_selector(".notice:has-text('Anna joined the conversation.')")
    pg.wait_for_selector(".msg.agent:has-text('it seats three comfortably')")
    assert pg.text_content(".msg.agent .author") == "Anna"
    assert pg.text_content(".subtitle") == "Anna"
    shot(pg, "widget-open")

    pg.reload()
    pg.wait_for_selector("button.launcher")
    pg.click("button.launcher")
    pg.wait_for_selector(".msg.agent:has-text('it seats three comfortably')")
    assert pg.locator(".msg.visitor").count() == 1 and pg.locator(".msg.agent").count() == 1
    assert pg.locator(".notice").count() == 1  # replayed from storage and server, shown once

    pg.keyboard.press("Escape")
    pg.wait_for_selector("section.panel", state="hidden")
    _reply(shop, anna, "Anything else I can help with?")
    pg.wait_for_selector(".badge:has-text('1')")
    assert "1 unread" in pg.get_attribute("button.launcher", "aria-label")
    shot(pg, "widget-unread")
    pg.click("button.launcher")
    pg.wait_for_selector(".msg.agent:has-text('Anything else')")
    assert pg.locator(".badge").is_hidden()

    from interact.conversations import services

    services.end(_conversation(shop), anna)
    pg.wait_for_selector(".ended:has-text('This conversation has ended.')")
    pg.wait_for_selector("button.restart", state="visible")
    shot(pg, "widget-ended")
    pg.click("button.restart")
    pg.fill("textarea", "One more question")
    pg.press("textarea", "Enter")
    pg.wait_for_selector(".msg.visitor[data-status=sent]:has-text('One more question')")
    from interact.conversations.models import Conversation

    assert Conversation.objects.filter(channel=shop).count() == 2


def test_chn1_cnv8_closed_shop_shows_the_away_message_in_french(live_page, shop, shot):
    from interact.admin_portal.models import OfficeHoursPeriod
    from interact.core import clock

    reopening_day = (clock.today().weekday() + 2) % 7  # open two days from now only: closed today
    OfficeHoursPeriod.objects.create(organisation=shop.organisation, weekday=reopening_day, opens=dt.time(9, 0),
                                     closes=dt.time(12, 0))
    pg = live_page.new_page(locale="fr-BE")
    _visit(pg, shop)
    pg.click("button.launcher")
    pg.wait_for_selector(".banner.away:has-text('We are closed now')")
    assert "Nous rouvrons le " in pg.text_content(".banner.away")  # in the visitor's own time zone
    pg.fill("textarea", "Bonjour, vous êtes là ?\nJ'ai une question.")
    pg.click("button.send")
    pg.wait_for_selector(".msg.system:has-text('We are closed now')")
    pg.wait_for_selector(".msg.visitor[data-status=sent]")
    assert pg.get_attribute("button.send", "aria-label") == "Envoyer le message"
    assert pg.text_content(".msg.visitor .meta") == "Envoyé"
    shot(pg, "widget-away-fr")


def test_chn1_shift_enter_adds_a_line_and_the_counter_stops_at_5000(live_page, shop, open_all_week):
    pg = live_page
    _visit(pg, shop)
    pg.click("button.launcher")
    pg.fill("textarea", "first line")
    pg.press("textarea", "Shift+Enter")
    pg.type("textarea", "second line")
    assert pg.input_value("textarea") == "first line\nsecond line"
    assert pg.locator(".msg.visitor").count() == 0
    pg.fill("textarea", "x" * 5200)
    assert len(pg.input_value("textarea")) == 5000
    assert pg.text_content(".counter") == "5,000 / 5,000"


def test_chn1_a_refused_stored_token_is_dropped_and_the_visitor_starts_afresh(live_page, shop, open_all_week):
    pg = live_page
    _visit(pg, shop)
    pg.evaluate("""key => localStorage.setItem(`interact:${key}:anon`, JSON.stringify(
        {token: "anon:forged", lastEventId: 0, seenEventId: 0, items: [], pending: []}))""", shop.public_key)
    pg.reload()
    pg.click("button.launcher")
    pg.fill("textarea", "Is anyone there?")
    pg.press("textarea", "Enter")
    pg.wait_for_selector(".msg.visitor[data-status=sent]")
    stored = pg.evaluate("key => JSON.parse(localStorage.getItem(`interact:${key}:anon`)).token", shop.public_key)
    assert stored and stored != "anon:forged"
    assert pg.locator(".msg.visitor").count() == 1
