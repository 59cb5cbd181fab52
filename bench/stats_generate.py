"""Fill ``interact_stats_bench`` with a year of history for the statistics benchmark (STA-3):
1,000,000 conversations, ~10,000,000 messages and their facts, in a few minutes.

Why SQL and not the services: the services take ~5 ms per message (events, locks, broadcasts);
ten million of them would take most of a day. The organisation, channels, topics, skills and end
users are created through the product (migrations, order form), the bulk rows with
``INSERT … SELECT … FROM generate_series`` in one statement per table.

The facts are derived in SQL from the generated timestamps of a simple course (queued → taken →
answered → ended). Their office-hours columns are set to 60 % of the wall-clock ones: the
benchmark measures how fast the dashboard reads facts, not how they are computed (that is
``services.rebuild``, timed per conversation by ``stats_bench.py``).

usage: stats_generate.py [--conversations 1000000] [--messages-per-conversation 10] [--days 365]
"""

from __future__ import annotations

import argparse
import time

import psycopg
from stats_common import PG_BASE, STATS_DB, STATS_DB_URL, setup_django

CHANNELS, TOPICS, SKILLS, AGENTS = 6, 12, 6, 60


def recreate_database() -> None:
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{STATS_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{STATS_DB}"')


def create_organisation() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from interact.accounts import services
    from interact.accounts.models import User
    from interact.admin_portal.models import OfficeHoursPeriod, Skill, Topic
    from interact.connectors.models import Channel, ChannelKind

    org = services.create_organisation_from_order_form(services.OrderFormData(
        name="Stats Bench", plan="bot", options=["sdk"], min_end_users=AGENTS, first_name="Stats",
        last_name="Owner", email="owner@stats.bench", language="en"), None)
    services.activate_organisation(org, None)
    for weekday in range(5):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens="08:00", closes="18:00")
    channels = [Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name=f"Site {i}").pk
                for i in range(CHANNELS)]
    topics = [Topic.objects.create(organisation=org, name=f"Topic {i}").pk for i in range(TOPICS)]
    skills = [Skill.objects.create(organisation=org, name=f"Skill {i}").pk for i in range(SKILLS)]
    agents = [User.objects.create_user(f"agent{i}@stats.bench", "bench-password-1234", organisation=org,
                                       role="agent", first_name=f"Agent{i}", last_name="Bench").pk
              for i in range(AGENTS)]
    return {"org": org.pk, "channels": channels, "topics": topics, "skills": skills, "agents": agents}


def timed(conn, label: str, sql: str, params: dict | None = None) -> None:
    started = time.monotonic()
    cur = conn.execute(sql, params or {})
    print(f"{label:<28} {cur.rowcount:>11,} rows {time.monotonic() - started:8.1f} s", flush=True)


def generate(ids: dict, conversations: int, per_conversation: int, days: int) -> None:
    p = {"org": ids["org"], "ch": ids["channels"], "tp": ids["topics"], "sk": ids["skills"], "ag": ids["agents"],
         "n": conversations, "days": days, "visitors": max(conversations // 5, 1),
         "maxmsg": 2 * per_conversation - 1}
    with psycopg.connect(STATS_DB_URL, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '256MB'")
        timed(conn, "visitors", """
            INSERT INTO conversations_visitor (organisation_id, channel_id, external_id, verified, display_name,
                first_name, last_name, email, phone, mobile, language, attributes, created_at, last_seen_at)
            SELECT %(org)s, (%(ch)s::bigint[])[1 + i %% cardinality(%(ch)s::bigint[])], 'v' || i, false, '',
                   '', '', '', '', '', 'en', '{}', now() - make_interval(days => %(days)s + 1), now()
            FROM generate_series(0, %(visitors)s - 1) AS i""", p)
        # The course of each conversation, drawn once: start, waiting, first response, handling,
        # number of messages. Every fifth starts with the bot; half of those never need a person.
        timed(conn, "plan", """
            CREATE UNLOGGED TABLE bench_plan AS
            SELECT i,
                   now() - random() * make_interval(days => %(days)s) AS t0,
                   (5 + random() * 600)::int AS wait,
                   (10 + random() * 300)::int AS frt,
                   (60 + random() * 1800)::int AS handle,
                   1 + floor(random() * %(maxmsg)s)::int AS msgs,
                   i %% 5 = 0 AS bot, i %% 10 = 0 AS bot_only
            FROM generate_series(0, %(n)s - 1) AS i""", p)
        visitor_base = conn.execute("SELECT min(id) FROM conversations_visitor").fetchone()[0]
        p["vbase"] = visitor_base
        timed(conn, "conversations", """
            INSERT INTO conversations_conversation (organisation_id, channel_id, visitor_id, status, language,
                assignee_id, declined_by, created_at, queued_at, assigned_at, taken_at, first_response_at,
                last_message_at, ended_at, archived_at, away_sent, message_count)
            SELECT %(org)s, v.channel_id, v.id, 'archived', 'en',
                   CASE WHEN b.bot_only THEN NULL ELSE (%(ag)s::bigint[])[1 + b.i %% cardinality(%(ag)s::bigint[])] END,
                   '[]', b.t0, b.t0,
                   CASE WHEN b.bot_only THEN NULL ELSE b.t0 + make_interval(secs => b.wait) END,
                   CASE WHEN b.bot_only THEN NULL ELSE b.t0 + make_interval(secs => b.wait) END,
                   CASE WHEN b.bot_only THEN NULL ELSE b.t0 + make_interval(secs => b.wait + b.frt) END,
                   b.t0 + make_interval(secs => b.wait + b.handle),
                   b.t0 + make_interval(secs => b.wait + b.handle),
                   b.t0 + make_interval(secs => b.wait + b.handle + 60),
                   extract(isodow FROM b.t0) > 5, b.msgs
            FROM bench_plan b JOIN conversations_visitor v ON v.id = %(vbase)s + b.i %% %(visitors)s
            ORDER BY b.i""", p)
        conv_base = conn.execute("SELECT min(id) FROM conversations_conversation").fetchone()[0]
        p["cbase"] = conv_base
        timed(conn, "messages", """
            INSERT INTO conversations_message (organisation_id, channel_id, conversation_id, sender, author_id,
                body, created_at, delivery, delivery_attempts, delivery_error, meta)
            SELECT %(org)s, c.channel_id, c.id,
                   CASE WHEN k %% 2 = 1 THEN 'visitor' WHEN c.assignee_id IS NULL THEN 'bot' ELSE 'agent' END,
                   CASE WHEN k %% 2 = 0 THEN c.assignee_id END,
                   'Message ' || k || ' of conversation ' || c.id,
                   c.created_at + make_interval(secs => k * 20), 'received', 0, '', '{}'
            FROM conversations_conversation c, generate_series(1, c.message_count) AS k""", p)
        timed(conn, "conversation topics", """
            INSERT INTO conversations_conversation_topics (conversation_id, topic_id)
            SELECT %(cbase)s + b.i, (%(tp)s::bigint[])[1 + (b.i / 7) %% cardinality(%(tp)s::bigint[])]
            FROM bench_plan b""", p)
        timed(conn, "conversation skills", """
            INSERT INTO conversations_conversation_skills (conversation_id, skill_id)
            SELECT %(cbase)s + b.i, (%(sk)s::bigint[])[1 + (b.i / 3) %% cardinality(%(sk)s::bigint[])]
            FROM bench_plan b WHERE b.i %% 2 = 0""", p)
        timed(conn, "conversation facts", """
            INSERT INTO stats_conversationfact (conversation_id, organisation_id, channel_id, started_at, hour,
                weekday, closed, ended_at, away_sent, with_bot, human, handed_over, abandoned, requeues, messages,
                visitor_messages, agent_messages, bot_messages, system_messages, first_response,
                first_response_bh, wait, wait_bh, handling, handling_bh, resolution, resolution_bh, resolver_id,
                computed_at)
            SELECT c.id, c.organisation_id, c.channel_id, c.created_at,
                   extract(hour FROM c.created_at AT TIME ZONE 'Europe/Brussels'),
                   extract(isodow FROM c.created_at AT TIME ZONE 'Europe/Brussels') - 1,
                   true, c.ended_at, c.away_sent, b.bot, NOT b.bot_only, b.bot AND NOT b.bot_only, false, 0,
                   c.message_count, (c.message_count + 1) / 2,
                   CASE WHEN b.bot_only THEN 0 ELSE c.message_count / 2 END,
                   CASE WHEN b.bot_only THEN c.message_count / 2 ELSE 0 END, 0,
                   CASE WHEN b.bot_only THEN NULL ELSE b.frt END,
                   CASE WHEN b.bot_only THEN NULL ELSE (b.frt * 0.6)::int END,
                   CASE WHEN b.bot_only THEN NULL ELSE b.wait END,
                   CASE WHEN b.bot_only THEN NULL ELSE (b.wait * 0.6)::int END,
                   CASE WHEN b.bot_only THEN NULL ELSE b.handle - b.wait END,
                   CASE WHEN b.bot_only THEN NULL ELSE ((b.handle - b.wait) * 0.6)::int END,
                   CASE WHEN b.bot_only THEN NULL ELSE b.handle END,
                   CASE WHEN b.bot_only THEN NULL ELSE (b.handle * 0.6)::int END,
                   c.assignee_id, now()
            FROM conversations_conversation c JOIN bench_plan b ON c.id = %(cbase)s + b.i""", p)
        timed(conn, "handling facts", """
            INSERT INTO stats_handlingfact (organisation_id, conversation_id, user_id, channel_id, started_at, closed,
                replies, resolved, handling, handling_bh, first_response, first_response_bh, resolution,
                resolution_bh)
            SELECT f.organisation_id, f.conversation_id, f.resolver_id, f.channel_id, f.started_at, true,
                   f.agent_messages, true, f.handling, f.handling_bh, f.first_response, f.first_response_bh,
                   f.resolution, f.resolution_bh
            FROM stats_conversationfact f WHERE f.resolver_id IS NOT NULL""")
        timed(conn, "topic facts", """
            INSERT INTO stats_topicfact (organisation_id, conversation_id, topic_id, channel_id, started_at)
            SELECT f.organisation_id, f.conversation_id, t.topic_id, f.channel_id, f.started_at
            FROM stats_conversationfact f JOIN conversations_conversation_topics t
              ON t.conversation_id = f.conversation_id""")
        timed(conn, "skill facts", """
            INSERT INTO stats_skillfact (organisation_id, conversation_id, skill_id, started_at)
            SELECT f.organisation_id, f.conversation_id, s.skill_id, f.started_at
            FROM stats_conversationfact f JOIN conversations_conversation_skills s
              ON s.conversation_id = f.conversation_id""")
        conn.execute("DROP TABLE bench_plan")
        timed(conn, "vacuum analyze", "VACUUM ANALYZE")
        for table in ("conversations_conversation", "conversations_message", "stats_conversationfact",
                      "stats_handlingfact", "stats_topicfact", "stats_skillfact"):
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", (table,)).fetchone()[0]
            print(f"{table:<36} {rows:>11,} rows {size:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    started = time.monotonic()
    recreate_database()
    setup_django()
    ids = create_organisation()
    generate(ids, args.conversations, args.messages_per_conversation, args.days)
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
