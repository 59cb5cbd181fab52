"""Privacy benchmarks on PostgreSQL (PRV-3, PRV-5, STO-3), in database ``interact_privacy_bench``.

1. **Erasure** of one person with 10,000 messages across 500 conversations (with their events),
   in an organisation whose tables also hold the purge scenario's million messages.
2. **Daily purge** of 1,000,000 due messages (50,000 conversations of 20 messages, ended 60 days
   ago, transcript retention 30 days), while a "live inbox" thread keeps writing to an open
   conversation of the same organisation and times each write.

Reported: wall time, peak Python memory (tracemalloc) and the process's peak RSS, the purge's
longest single transaction (how long it can hold row locks) and the live writes' worst latency.
Results go to bench/.out/privacy.json.

usage: privacy_bench.py [--conversations 50000] [--per-conversation 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import threading
import time
import tracemalloc
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT = BENCH_DIR / ".out"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "interact_privacy_bench"


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def _setup_django() -> None:
    OUT.mkdir(exist_ok=True)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "interact.settings", "INTERACT_DATABASE_URL": f"{PG_BASE}/{DB_NAME}",
        "INTERACT_DATA_DIR": str(OUT / "privacy-data"), "INTERACT_HUEY_IMMEDIATE": "1", "INTERACT_DEMO": "0",
        "INTERACT_SECRET_KEY": "bench-only-privacy-secret-key-0123456789abcdef",
    })
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _organisation():
    from interact.accounts import services
    from interact.connectors.models import Channel

    org = services.create_organisation_from_order_form(services.OrderFormData(
        name="Bench privacy", plan="bot", options=["sdk"], min_end_users=10, first_name="Bench", last_name="Admin",
        email="bench-admin@example.test", language="en"), None)
    services.activate_organisation(org, None)
    channel = Channel.objects.create(organisation=org, kind="webchat", name="Site")
    return org, channel


def _bulk(cursor, org_id: int, channel_id: int, *, visitors: int, per_visitor: int, per_conversation: int,
          ended_days_ago: int, prefix: str) -> None:
    """Visitors, ended conversations, messages and events, generated inside PostgreSQL."""
    cursor.execute(f"""
        INSERT INTO conversations_visitor (organisation_id, channel_id, external_id, verified, display_name,
            first_name, last_name, email, phone, mobile, language, attributes, created_at, last_seen_at)
        SELECT %s, %s, '{prefix}-' || g, false, 'Person ' || g, 'First' || g, 'Last' || g,
               'p' || g || '@{prefix}.example', '0475' || lpad(g::text, 6, '0'), '', 'nl',
               jsonb_build_object('page', 'https://shop.example/' || g), now() - interval '400 days',
               now() - interval '{ended_days_ago} days'
        FROM generate_series(1, %s) g""", [org_id, channel_id, visitors])
    cursor.execute(f"""
        INSERT INTO conversations_conversation (organisation_id, channel_id, visitor_id, status, language,
            declined_by, created_at, queued_at, last_message_at, ended_at, away_sent, message_count)
        SELECT v.organisation_id, v.channel_id, v.id, 'ended', 'nl', '[]'::jsonb,
               now() - interval '{ended_days_ago} days' - (c || ' minutes')::interval - interval '1 hour',
               now() - interval '{ended_days_ago} days' - (c || ' minutes')::interval - interval '1 hour',
               now() - interval '{ended_days_ago} days' - (c || ' minutes')::interval,
               now() - interval '{ended_days_ago} days' - (c || ' minutes')::interval, false, %s
        FROM conversations_visitor v CROSS JOIN generate_series(1, %s) c
        WHERE v.external_id LIKE '{prefix}-%%'""", [per_conversation, per_visitor])
    cursor.execute(f"""
        INSERT INTO conversations_message (organisation_id, channel_id, conversation_id, sender, body, created_at,
            delivery, delivery_attempts, delivery_error, meta)
        SELECT c.organisation_id, c.channel_id, c.id, CASE WHEN m %% 2 = 0 THEN 'agent' ELSE 'visitor' END,
               'Message ' || m || ' about order ' || c.id || ' from Person ' || c.visitor_id,
               c.created_at + (m || ' seconds')::interval, 'received', 0, '', '{{}}'::jsonb
        FROM conversations_conversation c JOIN conversations_visitor v ON v.id = c.visitor_id
        CROSS JOIN generate_series(1, %s) m
        WHERE v.external_id LIKE '{prefix}-%%'""", [per_conversation])
    cursor.execute(f"""
        INSERT INTO conversations_event (organisation_id, conversation_id, kind, payload, for_visitor, created_at)
        SELECT m.organisation_id, m.conversation_id, 'message.created',
               jsonb_build_object('id', m.id, 'body', m.body, 'sender', m.sender), true, m.created_at
        FROM conversations_message m JOIN conversations_conversation c ON c.id = m.conversation_id
        JOIN conversations_visitor v ON v.id = c.visitor_id WHERE v.external_id LIKE '{prefix}-%%'""")
    cursor.execute(f"""
        INSERT INTO conversations_event (organisation_id, conversation_id, kind, payload, for_visitor, created_at)
        SELECT c.organisation_id, c.id, k.kind,
               jsonb_build_object('id', c.id, 'status', 'ended', 'visitor', c.visitor_id,
                                  'visitor_name', 'Person ' || c.visitor_id), false, c.ended_at
        FROM conversations_conversation c JOIN conversations_visitor v ON v.id = c.visitor_id
        CROSS JOIN (VALUES ('conversation.queued'), ('conversation.ended')) k(kind)
        WHERE v.external_id LIKE '{prefix}-%%'""")


def _measured(fn):
    tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, {"seconds": round(seconds, 2), "python_peak_mb": round(peak / 2**20, 1),
                    "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                    "rss_peak_before_mb": round(rss_before / 1024, 1)}


class LiveInbox(threading.Thread):
    """Writes to an open conversation of the same organisation, as the inbox does, and times each write."""

    def __init__(self, channel):
        super().__init__(daemon=True)
        self.channel = channel
        self.latencies: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from interact.connectors import webchat
        from interact.conversations import services

        visitor = webchat.visitor_for(self.channel, webchat.identify(self.channel))
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.perf_counter()
            services.receive_message(self.channel, visitor, f"live message {n}", client_id=f"live-{n}")
            self.latencies.append(time.perf_counter() - started)
            time.sleep(0.05)
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--per-conversation", type=int, default=20)
    args = parser.parse_args()
    _recreate_database()
    _setup_django()
    from django.db import connection

    from interact.conversations.models import Message, Visitor
    from interact.privacy import erasure, retention

    org, channel = _organisation()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        _bulk(cursor, org.pk, channel.pk, visitors=args.conversations, per_visitor=1,
              per_conversation=args.per_conversation, ended_days_ago=60, prefix="due")
        _bulk(cursor, org.pk, channel.pk, visitors=1, per_visitor=500, per_conversation=20, ended_days_ago=5,
              prefix="subject")
        cursor.execute("ANALYZE")
    generated = round(time.perf_counter() - started, 1)
    total_messages = Message.objects.count()
    print(f"generated {total_messages} messages in {generated}s", flush=True)

    subject = Visitor.objects.select_related("channel").get(external_id="subject-1")
    report, erase_figures = _measured(lambda: erasure.erase_visitor(subject))
    erase_figures.update({"messages": report.messages, "conversations": report.conversations,
                          "events": report.events})
    print("erasure", erase_figures, flush=True)

    row = retention.settings_of(org.pk)
    row.transcript_retention_days = 30
    row.save()
    live = LiveInbox(channel)
    live.start()
    time.sleep(1)
    run, purge_figures = _measured(lambda: retention.run_daily_purge())
    live.stop.set()
    live.join()
    latencies = sorted(live.latencies)
    purge_figures.update({
        "report": run.report["totals"], "longest_transaction_s": run.report["longest_transaction_seconds"],
        "live_writes": len(latencies), "live_write_max_s": round(latencies[-1], 3) if latencies else None,
        "live_write_p95_s": round(latencies[int(len(latencies) * 0.95) - 1], 3) if latencies else None,
    })
    print("purge", purge_figures, flush=True)
    again, again_figures = _measured(lambda: retention.run_daily_purge())
    result = {"generated_messages": total_messages, "generation_s": generated, "erasure": erase_figures,
              "purge": purge_figures, "purge_same_day_again_s": again_figures["seconds"],
              "at": dt.datetime.now(dt.UTC).isoformat()}
    (OUT / "privacy.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
