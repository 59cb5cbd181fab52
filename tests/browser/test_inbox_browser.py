"""The agent inbox live in Debian's Chromium (CNV-1, CNV-5, CNV-6, CNV-7, CNV-9).

Runs on the real ASGI server (``live_page``) so the inbox websocket works: a visitor's message
stored from the test thread shows up in the agent's queue without a reload, the agent takes it,
replies with Enter, sees the visitor's next message and typing live, ends and archives it, and an
Administrator finds it in History by a word of its text.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def scene(org, admin, make_user):
    """An always-open organisation with a website chat, two topics, an agent and a known visitor
    (the fixtures of tests/conversations are not visible from this folder)."""
    import datetime as dt

    from interact.admin_portal.models import OfficeHoursPeriod, Topic
    from interact.connectors import webchat as connector
    from interact.connectors.models import Channel, ChannelKind
    from interact.conversations import services

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 59))
    webchat = Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Website",
                                     away_message="We are closed.")
    agent = make_user(org, "agent", first_name="Ada", last_name="Lovelace")
    Topic.objects.create(organisation=org, name="Delivery")
    Topic.objects.create(organisation=org, name="Billing")
    visitor = connector.visitor_for(webchat, connector.identify(webchat), language="fr", attributes={
        "page": "https://shop.example/orders/4711", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"})
    services.update_visitor(visitor, admin, first_name="Marie", last_name="Dupont", email="marie@example.test")
    return {"agent": agent, "admin": admin, "visitor": visitor, "channel": webchat}


def test_cnv9_inbox_live_take_reply_end_archive_then_history(live_page, scene, shot, sign_in):
    from interact.conversations import services
    from interact.conversations.events import conversation_group
    from interact.core.events import send_to_group

    page = live_page
    sign_in(page, scene["agent"].email)
    page.click("nav.side >> text=Inbox")
    page.wait_for_selector("#live-state[data-state=live]")
    assert page.locator('.conv-item[data-section="queue"]').count() == 0
    shot(page, "inbox-empty")

    # A visitor writes: the conversation appears in the queue live, and the title counts it.
    received = services.receive_message(scene["channel"], scene["visitor"], "Bonjour, where is my parcel 4711?",
                                        client_id="b1")
    conv = received.message.conversation
    item = page.wait_for_selector(f'.conv-item[data-section="queue"][data-id="{conv.pk}"]')
    assert "Marie Dupont" in item.text_content()
    page.wait_for_function("document.title.startsWith('(1) ')")
    shot(page, "inbox-queue-live")

    # Open it and take it.
    item.click()
    page.wait_for_url(re.compile(rf".*/portal/inbox/{conv.pk}/$"))
    page.wait_for_selector("#live-state[data-state=live]")
    assert "parcel 4711" in page.text_content("#messages")
    assert "https://shop.example/orders/4711" in page.text_content(".profile")
    shot(page, "inbox-queued-open")
    page.click("button[data-action=take]")
    page.wait_for_selector("#composer textarea")
    page.wait_for_selector(f'.conv-item[data-section="mine"][data-id="{conv.pk}"]')

    # Reply with Enter.
    page.fill("#composer textarea", "Hello Marie, let me look that up for you.")
    page.press("#composer textarea", "Enter")
    page.wait_for_selector(".msg-agent >> text=let me look that up")
    page.wait_for_function("document.querySelector('#composer textarea').value === ''")
    assert page.locator(".msg-agent").count() == 1

    # The visitor types, then writes again: both show without a reload.
    page.wait_for_timeout(300)  # the pane swap re-subscribes the socket to this conversation
    send_to_group(conversation_group(conv.pk), {"type": "inbox.typing", "conversation": conv.pk,
                                                "who": "visitor", "typing": True})
    page.wait_for_selector("#typing:not([hidden])")
    second = services.receive_message(scene["channel"], scene["visitor"], "Merci! It was sent last Monday.",
                                      client_id="b2")
    page.wait_for_selector(f"#msg-{second.message.pk}")
    assert page.locator(f"#msg-{second.message.pk}").count() == 1
    assert page.is_hidden("#typing")
    shot(page, "inbox-conversation")

    # A note on the visitor's profile.
    page.fill("#note-form textarea", "Parcel 4711 is with the carrier since Tuesday.")
    page.click("button[data-action=add-note]")
    page.wait_for_selector(".notes >> text=with the carrier")

    # End (confirm) and archive with a topic.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-action=end]")
    page.wait_for_selector("form.archive-form")
    page.check("form.archive-form label:has-text('Delivery') input")
    shot(page, "inbox-archive-form")
    page.click("button[data-action=archive]")
    page.wait_for_selector(".chat-closed >> text=Delivery")
    conv.refresh_from_db()
    assert conv.status == "archived" and [t.name for t in conv.topics.all()] == ["Delivery"]
    page.wait_for_function(f"!document.querySelector('.conv-item[data-id=\"{conv.pk}\"]')")

    # An Administrator finds it in History by a word of its text.
    boss = page.new_page()
    sign_in(boss, scene["admin"].email)
    boss.click("nav.side >> text=History")
    boss.fill("input[name=text]", "parcel")
    boss.click("#history-filters button[type=submit]")
    boss.wait_for_url(re.compile(r".*text=parcel.*"))
    rows = boss.locator("#history-rows tr[data-id]")
    assert rows.count() == 1 and rows.first.get_attribute("data-id") == str(conv.pk)
    assert "Delivery" in rows.first.text_content() and "Ada Lovelace" in rows.first.text_content()
    shot(boss, "history-search")
    rows.first.locator("a").first.click()
    boss.wait_for_selector("h2:has-text('Transcript')")
    assert "let me look that up" in boss.text_content("#messages")
    shot(boss, "history-transcript")


def test_cnv9_inbox_reconnects_and_resumes_missed_events(live_page, scene, sign_in):
    """The socket drops; a conversation arrives meanwhile; after the reconnect (with backoff) the
    client sends ``resume`` after its last event id, gets the missed event and shows it (CNV-9)."""
    import json

    from interact.conversations import services

    page = live_page
    sent, received_frames = [], []

    def watch(ws):
        ws.on("framesent", lambda payload: sent.append(json.loads(payload)))
        ws.on("framereceived", lambda payload: received_frames.append(json.loads(payload)))

    page.on("websocket", watch)
    sign_in(page, scene["agent"].email)
    page.goto(page.base + "/portal/inbox/")
    page.wait_for_selector("#live-state[data-state=live]")
    before = page.evaluate("window.interactInbox.lastEventId()")
    page.evaluate("window.interactInbox.drop()")
    page.wait_for_selector("#live-state[data-state=connecting]")
    received = services.receive_message(scene["channel"], scene["visitor"], "Anyone there?", client_id="r1")
    conv_id = received.message.conversation_id
    page.wait_for_selector(f'.conv-item[data-section="queue"][data-id="{conv_id}"]')
    page.wait_for_function("document.title.startsWith('(1) ')")
    assert {"type": "resume", "after": before} in sent
    replayed = [f for f in received_frames if f.get("type") == "event" and f.get("conversation") == conv_id]
    assert any(f["event"] == "conversation.queued" for f in replayed)
