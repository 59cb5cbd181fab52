"""CNV-9: a visitor on one server process and an agent on another chat live through Redis.

Runs only on PostgreSQL + Redis (``.ci/run``'s second pass): both server processes must share the
database and the channel layer, which the embedded default keeps inside one process.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("INTERACT_REDIS_URL") or "postgres" not in
                       os.environ.get("INTERACT_DATABASE_URL", ""), reason="needs PostgreSQL and Redis"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def two_servers(tmp_path):
    env = {**os.environ, "INTERACT_DATABASE_URL": _database_url(), "INTERACT_SECRET_KEY": settings.SECRET_KEY,
           "INTERACT_DATA_DIR": str(tmp_path), "INTERACT_HUEY_IMMEDIATE": "1"}
    ports, processes = [_free_port(), _free_port()], []
    for port in ports:
        processes.append(subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "interact.asgi:application", "--host", "127.0.0.1", "--port",
             str(port), "--log-level", "warning"], env=env))
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _setup():
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from interact.accounts import services as accounts
    from interact.accounts.models import User
    from interact.admin_portal.models import OfficeHoursPeriod
    from interact.connectors.models import Channel

    org = accounts.create_organisation_from_order_form(accounts.OrderFormData(
        name="Two processes", plan="pro", options=["sdk"], min_end_users=2, first_name="Ann", last_name="Admin",
        email="two@example.test", language="en"), None)
    accounts.activate_organisation(org, None)
    import datetime as dt

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0),
                                         closes=dt.time(23, 59))
    channel = Channel.objects.create(organisation=org, kind="webchat", name="Site")
    agent = User.objects.create_user("agent2p@example.test", "pw-two-processes-1", organisation=org, role="agent",
                                     first_name="Aline", last_name="Agent")
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = "interact.accounts.backends.LockoutBackend"
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    _token, secret = accounts.create_api_token(agent, "two processes")
    return channel.public_key, session.session_key, secret


async def _until(ws, predicate, timeout=10.0):
    async def loop():
        while True:
            frame = json.loads(await ws.recv())
            if predicate(frame):
                return frame
    return await asyncio.wait_for(loop(), timeout)


def test_cnv9_visitor_on_one_process_agent_on_another(two_servers):
    import websockets
    from asgiref.sync import sync_to_async

    public_key, session_key, token = _setup()
    visitor_port, agent_port = two_servers

    async def scenario():
        origin = f"http://127.0.0.1:{agent_port}"
        async with websockets.connect(f"ws://127.0.0.1:{agent_port}/ws/inbox/", origin=origin,
                                      additional_headers={"Cookie": f"sessionid={session_key}"}) as agent, \
                websockets.connect(f"ws://127.0.0.1:{visitor_port}/ws/widget/{public_key}/",
                                   origin="https://shop.example") as visitor:
            assert (await _until(agent, lambda f: f["type"] == "hello"))["user"]
            await visitor.send(json.dumps({"type": "hello", "language": "fr"}))
            await _until(visitor, lambda f: f["type"] == "welcome")
            await visitor.send(json.dumps({"type": "message", "client_id": "p1", "body": "Bonjour de A"}))
            ack = await _until(visitor, lambda f: f["type"] == "ack")
            queued = await _until(agent, lambda f: f.get("event") == "conversation.queued")
            conversation = queued["conversation"]
            assert conversation == ack["conversation"]
            await agent.send(json.dumps({"type": "subscribe", "conversation": conversation}))
            await _until(agent, lambda f: f["type"] == "subscribed")
            await visitor.send(json.dumps({"type": "message", "client_id": "p2", "body": "Vous êtes là ?"}))
            seen = await _until(agent, lambda f: f.get("event") == "message.created")
            assert seen["payload"]["body"] == "Vous êtes là ?"
            await visitor.send(json.dumps({"type": "typing", "typing": True}))
            assert (await _until(agent, lambda f: f["type"] == "typing"))["who"] == "visitor"

            def reply():
                request = urllib.request.Request(  # noqa: S310
                    f"http://127.0.0.1:{agent_port}/api/conversations/{conversation}/messages",
                    data=json.dumps({"body": "Oui, bonjour !"}).encode(), method="POST",
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    return response.status

            assert await sync_to_async(reply)() == 201
            answer = await _until(visitor, lambda f: f.get("event") == "message.created"
                                  and f["payload"]["sender"] == "agent")
            assert answer["payload"]["body"] == "Oui, bonjour !" and answer["payload"]["author"] == "Aline"

    asyncio.run(scenario())
