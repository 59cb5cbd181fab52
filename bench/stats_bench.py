"""Time the statistics dashboard over ``interact_stats_bench`` (fill it with stats_generate.py).

For a 30-day period ending today it times, 30 times each after 3 warm-up runs:

* each tab's queries (the selectors, as the API and the page run them), in wall-clock and in
  office-hours time, and with a channel, a topic and a skill filter;
* a CSV export;
* the three portal pages end to end through Django's test client (session, catch-up of stale
  facts, queries, template, Chart.js data);
* ``services.rebuild`` of one conversation with ~10 messages (what every lifecycle event costs);
* for comparison, two of the figures computed straight from conversations and messages (no facts).

Goal: every dashboard query answers in under 1 s at p95. Results go to bench/.out/stats.json.

usage: stats_bench.py [--runs 30] [--days 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from stats_common import percentile, save_result, setup_django

GOAL_P95_MS = 1000


def measure(fn, runs: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(samples, 50), 1), "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from interact.accounts.models import Organisation
    from interact.admin_portal.models import Skill, Topic
    from interact.connectors.models import Channel
    from interact.conversations.models import Conversation
    from interact.core import clock
    from interact.stats import exports, selectors, services
    from interact.stats.models import ConversationFact

    org = Organisation.objects.get(name="Stats Bench")
    admin = org.users.get(org_profile="access_owner")
    today = clock.today()
    base = {"period": "custom", "start": (today - dt.timedelta(days=args.days - 1)).isoformat(),
            "end": today.isoformat()}
    f = selectors.parse_filters(org, base)
    in_period = selectors.facts(f).count()
    sizes = {"conversations": Conversation.objects.count(), "facts": ConversationFact.objects.count(),
             "in_period": in_period}
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM conversations_message")
        sizes["messages"] = cur.fetchone()[0]
    print(f"data: {sizes['conversations']:,} conversations, {sizes['messages']:,} messages, "
          f"{in_period:,} received in the {args.days}-day period")

    channel = Channel.objects.for_org(org).first()
    topic = Topic.objects.for_org(org).first()
    skill = Skill.objects.for_org(org).first()
    variants = {
        "wall": base, "business": {**base, "time": "business"}, "channel": {**base, "channel": channel.pk},
        "topic": {**base, "topic": topic.pk}, "skill": {**base, "skill": skill.pk},
    }
    results: dict[str, dict] = {}

    def run(name: str, fn) -> None:
        results[name] = measure(fn, args.runs)
        r = results[name]
        print(f"{name:<40} p50 {r['p50_ms']:8.1f} ms   p95 {r['p95_ms']:8.1f} ms   max {r['max_ms']:8.1f} ms",
              flush=True)

    for variant, params in variants.items():
        filters = selectors.parse_filters(org, params)
        for tab in ("conversations", "messages", "end-users"):
            run(f"queries {tab} [{variant}]", lambda t=tab, fl=filters: selectors.tab(t, fl, admin))
    run("csv per_end_user [wall]", lambda: exports.csv_response(selectors.per_end_user(f, admin), f))

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin, backend="interact.accounts.backends.LockoutBackend")
    for path in ("/portal/stats/", "/portal/stats/messages/", "/portal/stats/end-users/"):
        def page(p=path):
            response = client.get(p, base)
            assert response.status_code == 200, response.status_code
        run(f"page {path}", page)

    # For comparison: the same figures straight from conversations and messages, without facts.
    def plain(sql: str):
        def go():
            with connection.cursor() as cur:
                cur.execute(sql, [org.pk, f.start, f.end])
                cur.fetchall()
        return go

    run("plain SQL: messages per conversation", plain("""
        SELECT n, count(*) FROM (SELECT m.conversation_id, count(*) AS n FROM conversations_message m
          JOIN conversations_conversation c ON c.id = m.conversation_id
          WHERE c.organisation_id = %s AND c.created_at >= %s AND c.created_at < %s
          GROUP BY m.conversation_id) x GROUP BY n"""))
    run("plain SQL: first response per channel", plain("""
        SELECT c.channel_id, avg(extract(epoch FROM r.first - c.queued_at)) FROM conversations_conversation c
          JOIN LATERAL (SELECT min(m.created_at) AS first FROM conversations_message m
                        WHERE m.conversation_id = c.id AND m.sender = 'agent') r ON true
          WHERE c.organisation_id = %s AND c.created_at >= %s AND c.created_at < %s
          GROUP BY c.channel_id"""))

    sample = list(Conversation.objects.for_org(org).order_by("-pk").values_list("pk", flat=True)[:40])
    it = iter(sample * 10)
    run("rebuild one conversation", lambda: services.rebuild(next(it)))

    worst = max(r["p95_ms"] for k, r in results.items() if not k.startswith(("rebuild", "plain")))
    met = worst < GOAL_P95_MS
    print(f"goal: every dashboard query and page under {GOAL_P95_MS} ms at p95 — worst p95 {worst:.0f} ms: "
          f"{'met' if met else 'NOT met'}")
    save_result("stats", {"sizes": sizes, "days": args.days, "runs": args.runs, "results": results,
                          "goal_p95_ms": GOAL_P95_MS, "met": met})


if __name__ == "__main__":
    main()
