"""Create the dedicated ``interact_bench`` PostgreSQL database and the data every benchmark uses.

Why a database of its own: the benchmarks drop and refill it freely (a million messages for
History) and must not disturb the test databases other people use on this machine.

What it creates, through the product's own services wherever one exists, so the rows are what
the product itself would write:

* one organisation on the Pro plan with the SDK option (the widget socket is gated on it),
  created from an order form and activated like an operator would;
* a website-chat channel with no allowed origins (any site may open it);
* office hours 00:00-23:59 on every weekday, so no away message is stored in the hot path;
* ``--agents`` agent users, each with a database session (the cookie an inbox socket presents)
  and ``--per-agent`` visitors whose conversation is already open and assigned to that agent.
  Pre-opening the conversations means the latency benchmark measures the steady state of a chat
  in progress, and an agent may subscribe to them (an inbox socket accepts at most 50
  subscriptions, so every agent gets at most 50).

The fixture (public key, cookies, visitor tokens) is written to ``bench/.out/fixture.json``.

usage: setup_db.py [--agents 20] [--per-agent 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
import redis  # noqa: E402
from common import DB_NAME, OUT_DIR, PG_BASE, REDIS_URL, setup_django  # noqa: E402

FIXTURE = OUT_DIR / "fixture.json"
BACKEND = "interact.accounts.backends.LockoutBackend"


def recreate_database() -> None:
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL).flushdb()


def create_organisation():
    from django.db import transaction

    from interact.accounts import services
    from interact.accounts.models import Organisation
    from interact.admin_portal.models import OfficeHoursPeriod
    from interact.connectors.models import Channel, ChannelKind

    with transaction.atomic():
        org = services.create_organisation_from_order_form(services.OrderFormData(
            name="Bench Company", plan="pro", options=["sdk"], min_end_users=50, first_name="Bench",
            last_name="Owner", email="owner@bench.example", language="en"), None)
        services.activate_organisation(org, None)
    org = Organisation.objects.get(pk=org.pk)
    channel = Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Bench website",
                                     away_message="We are closed; we answer tomorrow.", allowed_origins="")
    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0),
                                         closes=dt.time(23, 59))
    return org, channel


def _session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(86400)
    store.create()
    return store.session_key


def create_agents_and_conversations(org, channel, agents: int, per_agent: int) -> list[dict]:
    from interact.accounts.models import User
    from interact.connectors import webchat
    from interact.conversations.models import Conversation, Status, Visitor
    from interact.core import clock

    now = clock.now()
    groups = []
    for a in range(agents):
        user = User.objects.create_user(f"agent{a}@bench.example", organisation=org, role="agent",
                                        first_name=f"Agent{a}", last_name="Bench", max_conversations=per_agent)
        identities = [webchat.identify(channel) for _ in range(per_agent)]
        visitors = Visitor.objects.bulk_create([
            Visitor(organisation=org, channel=channel, external_id=identity.external_id, created_at=now,
                    last_seen_at=now) for identity in identities])
        Conversation.objects.bulk_create([
            Conversation(organisation=org, channel=channel, visitor=visitor, status=Status.ACTIVE, assignee=user,
                         created_at=now, queued_at=now, assigned_at=now, taken_at=now, last_message_at=now)
            for visitor in visitors])
        groups.append({"agent": user.email, "cookie": f"sessionid={_session_for(user)}",
                       "visitor_tokens": [identity.token for identity in identities]})
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--per-agent", type=int, default=50)
    args = parser.parse_args()
    if args.per_agent > 50:
        parser.error("an inbox socket holds at most 50 subscriptions")
    recreate_database()
    setup_django("embedded")
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    org, channel = create_organisation()
    groups = create_agents_and_conversations(org, channel, args.agents, args.per_agent)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps({"public_key": channel.public_key, "organisation": org.pk, "groups": groups},
                                  indent=1))
    print(f"database {DB_NAME}: organisation {org.pk} (pro + sdk), channel {channel.public_key}, "
          f"{args.agents} agents x {args.per_agent} open conversations; fixture {FIXTURE}")


if __name__ == "__main__":
    main()
