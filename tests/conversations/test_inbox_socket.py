"""CNV-9 on the inbox socket: permission on connect and subscribe, live events, resume after an id,
presence for routing, bad frames answered without closing."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _world():
    import datetime as dt

    from interact.accounts import services as accounts
    from interact.accounts.models import User
    from interact.admin_portal.models import OfficeHoursPeriod
    from interact.connectors import webchat
    from interact.connectors.models import Channel

    def org(name):
        made = accounts.create_organisation_from_order_form(accounts.OrderFormData(
            name=name, plan="pro", options=["sdk"], min_end_users=5, first_name="A", last_name=name,
            email=f"owner@{name}.test", language="en"), None)
        accounts.activate_organisation(made, None)
        for weekday in range(7):
            OfficeHoursPeriod.objects.create(organisation=made, weekday=weekday, opens=dt.time(0, 0),
                                             closes=dt.time(23, 59))
        return made

    a, b = org("alpha"), org("beta")
    channel_a = Channel.objects.create(organisation=a, kind="webchat", name="A site")
    channel_b = Channel.objects.create(organisation=b, kind="webchat", name="B site")
    agent = User.objects.create_user("agent@alpha.test", "pw-inbox-socket-1", organisation=a, role="agent",
                                     first_name="Alma")
    analyst = User.objects.create_user("analyst@alpha.test", "pw-inbox-socket-1", organisation=a, role="analyst")
    visitor_a = webchat.visitor_for(channel_a, webchat.identify(channel_a))
    visitor_b = webchat.visitor_for(channel_b, webchat.identify(channel_b))
    return {"agent": agent, "analyst": analyst, "channel_a": channel_a, "channel_b": channel_b,
            "visitor_a": visitor_a, "visitor_b": visitor_b}


def _say(channel, visitor, body):
    from interact.conversations import services

    return services.receive_message(channel, visitor, body)


async def _connect(user):
    from interact.conversations.consumers import InboxConsumer

    comm = WebsocketCommunicator(InboxConsumer.as_asgi(), "/ws/inbox/")
    comm.scope["user"] = user
    connected, code = await comm.connect()
    return comm, connected, code


async def _next(comm, kind, timeout=3):
    while True:
        frame = json.loads(await comm.receive_from(timeout=timeout))
        if frame["type"] == kind or frame.get("event") == kind:
            return frame


async def test_cnv9_only_conversation_handlers_connect():
    world = await sync_to_async(_world)()
    _comm, connected, code = await _connect(world["analyst"])
    assert not connected and code == 4403


async def test_cnv9_queue_and_messages_arrive_live_and_resume_after_reconnect():
    from interact.conversations.models import Presence

    world = await sync_to_async(_world)()
    comm, connected, _ = await _connect(world["agent"])
    assert connected
    await _next(comm, "hello")
    assert await sync_to_async(Presence.objects.filter(user=world["agent"]).count)() == 1
    received = await sync_to_async(_say)(world["channel_a"], world["visitor_a"], "First")
    queued = await _next(comm, "conversation.queued")
    conversation = queued["conversation"]
    assert conversation == received.message.conversation_id and "body" not in json.dumps(queued["payload"])
    await comm.send_to(text_data=json.dumps({"type": "subscribe", "conversation": conversation}))
    await _next(comm, "subscribed")
    await sync_to_async(_say)(world["channel_a"], world["visitor_a"], "Second")
    live = await _next(comm, "message.created")
    assert live["payload"]["body"] == "Second"
    last_seen = live["id"]
    await comm.disconnect()
    assert await sync_to_async(Presence.objects.filter(user=world["agent"]).count)() == 0

    await sync_to_async(_say)(world["channel_a"], world["visitor_a"], "Missed while away")
    comm, _connected, _ = await _connect(world["agent"])
    await _next(comm, "hello")
    await comm.send_to(text_data=json.dumps({"type": "subscribe", "conversation": conversation}))
    await _next(comm, "subscribed")
    await comm.send_to(text_data=json.dumps({"type": "resume", "after": last_seen}))
    replayed = await _next(comm, "message.created")
    assert replayed["payload"]["body"] == "Missed while away" and replayed["id"] > last_seen
    await _next(comm, "resumed")
    await comm.disconnect()


async def test_iam5_cannot_subscribe_to_another_organisations_conversation():
    world = await sync_to_async(_world)()
    foreign = await sync_to_async(_say)(world["channel_b"], world["visitor_b"], "secret of B")
    comm, _connected, _ = await _connect(world["agent"])
    await _next(comm, "hello")
    await comm.send_to(text_data=json.dumps({"type": "subscribe",
                                             "conversation": foreign.message.conversation_id}))
    refused = await _next(comm, "error")
    assert refused["code"] == "unknown_conversation"
    await comm.send_to(text_data=json.dumps({"type": "typing", "conversation": foreign.message.conversation_id,
                                             "typing": True}))
    assert (await _next(comm, "error"))["code"] == "unknown_conversation"
    await comm.send_to(text_data=json.dumps({"type": "resume", "after": 0}))
    frames = []
    while True:
        frame = json.loads(await comm.receive_from(timeout=3))
        if frame["type"] == "resumed":
            break
        frames.append(frame)
    assert "secret of B" not in json.dumps(frames)
    assert all(f.get("conversation") != foreign.message.conversation_id for f in frames)
    await comm.disconnect()


@pytest.mark.parametrize("frame,code", [
    ("not json", "bad_frame"), ("[1, 2]", "bad_frame"), ('{"type": "dance"}', "unknown_frame"),
    ('{"type": "resume", "after": -1}', "invalid_after"), ('{"type": "subscribe", "conversation": "1"}',
                                                          "unknown_conversation"),
    ("x" * 5000, "frame_too_large"),
])
async def test_bad_frames_get_an_error_and_the_socket_stays_open(frame, code):
    world = await sync_to_async(_world)()
    comm, _connected, _ = await _connect(world["agent"])
    await _next(comm, "hello")
    await comm.send_to(text_data=frame)
    assert (await _next(comm, "error"))["code"] == code
    await comm.send_to(text_data='{"type": "ping"}')
    await _next(comm, "pong")
    await comm.disconnect()
