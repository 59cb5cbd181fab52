"""CHN-1 / CNV-8 / CNV-9 / CNV-10 on the visitor's websocket, through ``interact.asgi.application``.

Each test talks to the socket the way the widget does (tests/widget/conftest.py ``Visitor``) and
checks what was stored, so an acknowledgement always means a durable row.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from asgiref.sync import sync_to_async

from .conftest import AWAY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _messages(**filters) -> list:
    from interact.conversations.models import Message

    return list(Message.objects.filter(**filters).order_by("pk").values_list("sender", "body"))


count_messages = sync_to_async(lambda **filters: len(_messages(**filters)))


def _signature(secret: str, identifier: str) -> str:
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


@sync_to_async
def _reply_as_agent(agent, body: str) -> int:
    from interact.conversations import services
    from interact.conversations.models import Conversation

    conversation = Conversation.objects.filter(organisation=agent.organisation).latest("pk")
    return services.send_reply(conversation, agent, body).pk


# --- hello ----------------------------------------------------------------------------------------

async def test_chn1_hello_gets_a_welcome_with_a_signed_visitor_token(channel, open_all_week, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    welcome = await tab.hello()
    assert welcome["type"] == "welcome" and welcome["visitor_token"] and welcome["verified"] is False
    assert welcome["open"] is True and welcome["conversation"] is None and welcome["channel_name"] == "Website chat"


async def test_chn1_a_frame_before_hello_is_refused_without_closing(channel, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    await tab.send({"type": "message", "body": "hi", "client_id": "early"})
    assert (await tab.next())["code"] == "hello_first"
    assert (await tab.hello())["type"] == "welcome"
    assert await count_messages() == 0


async def test_chn1_ten2_pro_org_without_sdk_option_gets_plan_required_then_4403(make_org, make_channel,
                                                                                visitor_socket):
    org = await sync_to_async(make_org)(plan="pro", options=())
    channel = await sync_to_async(make_channel)(org)
    tab = await visitor_socket(channel.public_key)
    frame = await tab.next()
    assert frame["type"] == "error" and frame["error"]["code"] == "plan_required"
    assert frame["error"]["required_option"] == "sdk"
    assert await tab.closed_with() == 4403


async def test_chn1_unknown_public_key_is_closed_4404(visitor_socket, transactional_db):
    tab = await visitor_socket("no-such-key", expect_accept=False)
    assert tab.connect_result == (False, 4404)


async def test_chn1_a_disallowed_origin_is_refused(channel, visitor_socket):
    tab = await visitor_socket(channel.public_key, origin="https://evil.example")
    frame = await tab.next()
    assert frame["code"] == "origin_not_allowed"
    assert await tab.closed_with() == 4403
    allowed = await visitor_socket(channel.public_key, origin="https://shop.example/")
    assert (await allowed.hello())["type"] == "welcome"


async def test_chn1_without_an_origin_list_any_website_may_embed(sdk_org, make_channel, visitor_socket):
    channel = await sync_to_async(make_channel)(sdk_org, allowed_origins="")
    tab = await visitor_socket(channel.public_key, origin="https://anywhere.example")
    assert (await tab.hello())["type"] == "welcome"


# --- messages, acknowledgements, idempotency (CNV-10) ---------------------------------------------

async def test_cnv10_message_is_acked_after_storage_and_a_retry_is_stored_once(channel, open_all_week,
                                                                               visitor_socket):
    tab = await visitor_socket(channel.public_key)
    await tab.hello()
    ack = await tab.say("Where is my order?", "c-1")
    assert ack["type"] == "ack" and ack["duplicate"] is False and ack["message_id"] and ack["event_id"]
    assert await sync_to_async(_messages)() == [("visitor", "Where is my order?")]
    retry = await tab.say("Where is my order?", "c-1")
    assert retry["duplicate"] is True and retry["message_id"] == ack["message_id"]
    assert await count_messages() == 1


async def test_chn1_the_visitors_own_message_and_queue_position_come_back_as_frames(channel, open_all_week,
                                                                                   visitor_socket):
    tab = await visitor_socket(channel.public_key)
    await tab.hello()
    await tab.say("Hello", "c-queue")
    event = await tab.until(lambda f: f["type"] == "event")
    assert event["event"] == "message.created" and event["payload"]["client_id"] == "c-queue"
    assert event["payload"]["sender"] == "visitor"
    assert (await tab.until(lambda f: f["type"] == "queue"))["position"] == 1


async def test_cnv10_a_message_over_5000_characters_is_refused_and_not_stored(channel, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    await tab.hello()
    refused = await tab.say("x" * 5001, "c-long")
    assert refused["type"] == "error" and refused["code"] == "message_too_long"
    assert await count_messages() == 0
    accepted = await tab.say("é" * 5000, "c-5000")  # the limit itself fits in a frame, even in two-byte letters
    assert accepted["type"] == "ack"


async def test_cnv10_an_empty_message_is_refused(channel, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    await tab.hello()
    assert (await tab.say("   ", "c-empty"))["code"] == "empty_message"
    assert await count_messages() == 0


async def test_chn1_bad_frames_get_errors_and_only_cost_the_sender(channel, open_all_week, visitor_socket):
    bad = await visitor_socket(channel.public_key)
    good = await visitor_socket(channel.public_key)
    await bad.hello()
    await good.hello()
    for raw, code in [("{not json", "bad_frame"), ("[1, 2]", "bad_frame"), ('"hello"', "bad_frame"),
                      (json.dumps({"type": "dance"}), "unknown_frame"), ("x" * 17000, "frame_too_large")]:
        await bad.send(raw)
        frame = await bad.next()
        assert frame["type"] == "error" and frame["code"] == code, raw[:20]
    await bad.send({"type": "ping"})
    assert (await bad.next())["type"] == "pong"  # still open
    assert (await good.say("Still fine", "g-1"))["type"] == "ack"
    assert not [f for f in good.seen if f["type"] == "error"]


async def test_chn1_a_flood_is_refused_then_closed_4429_while_another_visitor_keeps_chatting(
        channel, open_all_week, visitor_socket):
    flooder = await visitor_socket(channel.public_key)
    other = await visitor_socket(channel.public_key)
    await flooder.hello()
    await other.hello()
    for n in range(40):
        await flooder.send({"type": "message", "body": f"spam {n}", "client_id": f"f-{n}"})
    assert await flooder.closed_with(timeout=10) == 4429
    refusals = [f for f in flooder.seen if f["type"] == "error"]
    assert len(refusals) == 20 and {f["code"] for f in refusals} == {"rate_limited"}
    stored = await count_messages(sender="visitor")
    assert 10 <= stored <= 40 - len(refusals)  # the burst, plus what refilled while it was stored
    assert (await other.say("I am a real customer", "o-1"))["type"] == "ack"


async def test_chn1_typing_frames_never_eat_the_message_budget(channel, open_all_week, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    await tab.hello()
    await tab.say("first", "t-0")
    for _ in range(30):
        await tab.send({"type": "typing", "typing": True})
    for n in range(1, 9):
        assert (await tab.say(f"message {n}", f"t-{n}"))["type"] == "ack"


# --- resume and replay (CNV-9, CNV-10) ------------------------------------------------------------

async def test_cnv9_a_reply_sent_while_offline_is_replayed_exactly_once_on_reconnect(channel, open_all_week, agent,
                                                                                     visitor_socket):
    tab = await visitor_socket(channel.public_key)
    welcome = await tab.hello()
    await tab.say("Can someone help?", "r-1")
    last = (await tab.until(lambda f: f["type"] == "event"))["id"]
    await tab.quiet()
    await tab.close()

    reply_id = await _reply_as_agent(agent, "Of course, Anna here.")

    again = await visitor_socket(channel.public_key)
    assert (await again.hello(visitor_token=welcome["visitor_token"], last_event_id=last))["type"] == "welcome"
    await again.quiet(0.5)
    replies = [f for f in again.seen if f["type"] == "event" and f["event"] == "message.created"]
    assert [(f["payload"]["id"], f["payload"]["sender"], f["payload"]["author"]) for f in replies] == [
        (reply_id, "agent", "Anna")]
    taken = [f for f in again.seen if f["type"] == "event" and f["event"] == "conversation.taken"]
    assert len(taken) == 1 and taken[0]["payload"] == {"agent": "Anna"}
    assert all(f["id"] > last for f in again.seen if f["type"] == "event")


async def test_cnv9_a_new_page_without_last_event_id_gets_its_open_conversation(channel, open_all_week,
                                                                               visitor_socket):
    tab = await visitor_socket(channel.public_key)
    token = (await tab.hello())["visitor_token"]
    await tab.say("one", "p-1")
    await tab.say("two", "p-2")
    await tab.close()
    page = await visitor_socket(channel.public_key)
    welcome = await page.hello(visitor_token=token)
    assert welcome["conversation"]["status"] == "queued" and welcome["conversation"]["position"] == 1
    await page.quiet()
    assert [f["payload"]["body"] for f in page.seen if f["type"] == "event"] == ["one", "two"]


async def test_cnv9_a_live_reply_reaches_every_tab_of_the_visitor(channel, open_all_week, agent, visitor_socket):
    first = await visitor_socket(channel.public_key)
    token = (await first.hello())["visitor_token"]
    await first.say("hi", "m-1")
    second = await visitor_socket(channel.public_key)
    await second.hello(visitor_token=token)
    await first.quiet()
    await second.quiet()
    await _reply_as_agent(agent, "Hello from Anna")
    for tab in (first, second):
        frame = await tab.until(lambda f: f["type"] == "event" and f["event"] == "message.created")
        assert frame["payload"]["body"] == "Hello from Anna"
        assert set(frame["payload"]) == {"id", "sender", "author", "body", "created_at", "client_id"}


async def test_cnv9_agent_typing_reaches_the_visitor(channel, open_all_week, visitor_socket):
    from channels.layers import get_channel_layer

    from interact.conversations.events import visitor_group
    from interact.conversations.models import Visitor

    tab = await visitor_socket(channel.public_key)
    await tab.hello()
    visitor = await sync_to_async(Visitor.objects.get)(channel=channel)
    await get_channel_layer().group_send(visitor_group(visitor.pk),
                                         {"type": "visitor.typing", "typing": True, "author": "Anna"})
    assert await tab.until(lambda f: f["type"] == "typing") == {"type": "typing", "typing": True, "author": "Anna"}


async def test_cnv6_the_visitor_ends_the_conversation(channel, open_all_week, visitor_socket):
    from interact.conversations.models import Conversation

    tab = await visitor_socket(channel.public_key)
    await tab.hello()
    await tab.say("bye", "e-1")
    await tab.send({"type": "end"})
    ended = await tab.until(lambda f: f["type"] == "event" and f["event"] == "conversation.ended")
    assert ended["payload"] == {"by": "visitor"}
    status = await sync_to_async(lambda: Conversation.objects.get(channel=channel).status)()
    assert status == "ended"


# --- identity (CHN-1) -----------------------------------------------------------------------------

async def test_chn1_a_token_from_another_channel_is_refused_4401(sdk_org, channel, make_channel, visitor_socket):
    other = await sync_to_async(make_channel)(sdk_org, name="Other site")
    tab = await visitor_socket(other.public_key)
    token = (await tab.hello())["visitor_token"]
    stranger = await visitor_socket(channel.public_key)
    refused = await stranger.hello(visitor_token=token)
    assert refused["type"] == "error" and refused["code"] == "invalid_visitor_token"
    assert await stranger.closed_with() == 4401


async def test_chn1_a_forged_token_is_refused(channel, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    assert (await tab.hello(visitor_token="anon:forged"))["code"] == "invalid_visitor_token"
    assert await tab.closed_with() == 4401


async def test_chn1_a_wrong_hmac_is_refused_with_invalid_signature(channel, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    refused = await tab.hello(identifier="customer-42", signature=_signature("not-the-secret", "customer-42"))
    assert refused["code"] == "invalid_signature"
    assert await tab.closed_with() == 4401


async def test_chn1_a_verified_visitor_sees_their_conversation_on_another_device(channel, open_all_week,
                                                                                visitor_socket):
    signature = _signature(channel.identity_secret, "customer-42")
    laptop = await visitor_socket(channel.public_key)
    welcome = await laptop.hello(identifier="customer-42", signature=signature, name="Chris Customer")
    assert welcome["verified"] is True and welcome["visitor_token"] is None
    await laptop.say("Order 1234 is late", "v-1")

    phone = await visitor_socket(channel.public_key)
    await phone.hello(identifier="customer-42", signature=signature.upper())
    await phone.quiet()
    assert [f["payload"]["body"] for f in phone.seen if f["type"] == "event"] == ["Order 1234 is late"]

    stranger = await visitor_socket(channel.public_key)
    assert (await stranger.hello())["conversation"] is None
    await stranger.quiet()
    assert not [f for f in stranger.seen if f["type"] == "event"]


async def test_chn1_an_anonymous_visitor_never_sees_another_anonymous_visitors_messages(
        channel, open_all_week, agent, visitor_socket):
    alice = await visitor_socket(channel.public_key)
    await alice.hello()
    await alice.say("my address is secret", "a-1")
    await _reply_as_agent(agent, "Noted, Alice")
    bob = await visitor_socket(channel.public_key)
    await bob.hello(last_event_id=1)
    await bob.quiet(0.5)
    assert not [f for f in bob.seen if f["type"] == "event"]


async def test_chn1_a_negative_last_event_id_is_refused(channel, visitor_socket):
    tab = await visitor_socket(channel.public_key)
    assert (await tab.hello(last_event_id=-3))["code"] == "invalid_last_event_id"
    assert await tab.closed_with() == 4401


# --- office hours (CNV-8) -------------------------------------------------------------------------

async def test_cnv8_outside_office_hours_the_welcome_says_closed_and_the_away_message_arrives(channel,
                                                                                             visitor_socket):
    tab = await visitor_socket(channel.public_key)
    welcome = await tab.hello()  # no office hours at all: closed
    assert welcome["open"] is False and welcome["away_message"] == AWAY
    await tab.say("Anyone there?", "a-1")
    away = await tab.until(lambda f: f["type"] == "event" and f["payload"].get("sender") == "system")
    assert away["payload"]["body"] == AWAY
    await tab.say("Hello?", "a-2")
    await tab.quiet()
    assert len([f for f in tab.seen if f["type"] == "event" and f["payload"].get("sender") == "system"]) == 1
