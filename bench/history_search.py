"""History search (CNV-7) over a million stored messages: how fast is the first page?

Why: History is where supervisors look up past conversations by what was said; its search runs
PostgreSQL full-text search backed by the GIN index ``conversations_message_body_fts``
(migration conversations/0002). Goal: p95 < 300 ms for the History page's two queries.

What it does, on the ``interact_bench`` database made by setup_db.py:

1. Inserts 100,000 visitors, one closed conversation each ('archived' or 'ended', with
   ``ended_at`` spread over a year, assigned to the bench agents) and 1,000,000 messages
   (10 per conversation) with ``INSERT ... SELECT generate_series``. Bodies are 4-16 words drawn
   with a Zipf-like skew from a customer-service vocabulary plus a long tail of reference codes,
   so some words match half the messages and others a handful, like real chat. The GIN index
   is dropped during the load and rebuilt with the migration's exact definition (much faster
   than maintaining it row by row), then the tables are ANALYZEd. Skipped when already loaded.
2. Runs ``--searches`` searches through the product's own selector, as the History page does:
   ``qs = history(user, HistoryFilters(text=...))``, then ``list(qs[:25])`` and ``qs.count()``.
   Queries mix rare, mid and common words, two-word combinations, phrases, OR and negation.
3. Reports p50/p95/p99 and the slowest searches, and prints EXPLAIN (ANALYZE, BUFFERS) of one
   query, checking that the GIN index is used.

usage: history_search.py [--searches 100] [--reload]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MACHINE_CAVEAT, percentile, save_result, setup_django  # noqa: E402

CONVERSATIONS = 100_000
MESSAGES_PER_CONVERSATION = 10
GOAL_P95_MS = 300
INDEX = "conversations_message_body_fts"
INDEX_SQL = f"CREATE INDEX {INDEX} ON conversations_message USING gin (to_tsvector('simple', body))"

# Most frequent first: the generator picks index floor(n * random()^3), a Zipf-like skew.
COMMON = [
    "the",
    "i",
    "to",
    "and",
    "a",
    "you",
    "my",
    "is",
    "it",
    "for",
    "of",
    "in",
    "have",
    "this",
    "on",
    "can",
    "not",
    "with",
    "be",
    "that",
    "your",
    "order",
    "we",
    "hello",
    "hi",
    "please",
    "thanks",
    "thank",
    "what",
    "when",
    "do",
    "at",
    "me",
    "but",
    "was",
    "are",
    "there",
    "from",
    "no",
    "yes",
    "so",
    "just",
    "how",
    "will",
    "if",
    "an",
    "get",
    "would",
    "like",
    "help",
    "need",
    "as",
    "still",
    "about",
    "any",
]
DOMAIN = [
    "delivery",
    "parcel",
    "package",
    "tracking",
    "number",
    "refund",
    "invoice",
    "payment",
    "card",
    "account",
    "password",
    "login",
    "email",
    "address",
    "shipping",
    "return",
    "exchange",
    "size",
    "colour",
    "color",
    "price",
    "discount",
    "voucher",
    "code",
    "subscription",
    "cancel",
    "renew",
    "contract",
    "warranty",
    "repair",
    "broken",
    "damaged",
    "missing",
    "wrong",
    "late",
    "yesterday",
    "today",
    "tomorrow",
    "week",
    "monday",
    "friday",
    "store",
    "shop",
    "website",
    "app",
    "error",
    "problem",
    "issue",
    "question",
    "answer",
    "agent",
    "manager",
    "complaint",
    "receipt",
    "bank",
    "transfer",
    "paypal",
    "credit",
    "debit",
    "bonjour",
    "merci",
    "commande",
    "livraison",
    "colis",
    "remboursement",
    "facture",
    "retour",
    "hallo",
    "bedankt",
    "bestelling",
    "levering",
    "pakket",
    "terugbetaling",
    "factuur",
    "retour",
    "battery",
    "charger",
    "screen",
    "phone",
    "laptop",
    "tablet",
    "printer",
    "cable",
    "adapter",
    "headphones",
    "speaker",
    "mattress",
    "sofa",
    "chair",
    "table",
    "lamp",
    "kitchen",
    "fridge",
    "oven",
    "washing",
    "machine",
    "dryer",
    "insurance",
    "claim",
    "policy",
    "premium",
    "coverage",
    "deductible",
    "appointment",
    "booking",
    "reservation",
    "flight",
    "hotel",
    "ticket",
    "seat",
    "luggage",
    "baggage",
    "delay",
    "cancelled",
    "gate",
    "boarding",
]
TAIL = [f"ref{n:05d}" for n in range(5000)]
VOCABULARY = COMMON + DOMAIN + TAIL
FIRST_NAMES = [
    "Emma",
    "Louis",
    "Olivia",
    "Noah",
    "Mila",
    "Arthur",
    "Lina",
    "Jules",
    "Elena",
    "Lucas",
    "Sofia",
    "Adam",
    "Nora",
    "Victor",
    "Julia",
    "Finn",
]
LAST_NAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "DuBois",
    "Lambert",
    "Dupont",
]


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{w}'" for w in words) + "]::text[]"


def load(force: bool) -> dict:
    from django.db import connection

    from interact.accounts.models import Organisation
    from interact.connectors.models import Channel

    org = Organisation.objects.get(slug__isnull=False, name="Bench Company")
    channel = Channel.objects.filter(organisation=org).first()
    agents = list(org.users.filter(role="agent").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM conversations_message m JOIN conversations_visitor v "
            "ON v.id = (SELECT visitor_id FROM conversations_conversation WHERE id = m.conversation_id) "
            "WHERE v.external_id LIKE 'hist:%%'",
            [],
        )
        if cursor.fetchone()[0] >= CONVERSATIONS * MESSAGES_PER_CONVERSATION and not force:
            return {"loaded": False}
        started = time.monotonic()
        cursor.execute(
            "DELETE FROM conversations_message WHERE conversation_id IN (SELECT c.id FROM "
            "conversations_conversation c JOIN conversations_visitor v ON v.id = c.visitor_id "
            "WHERE v.external_id LIKE 'hist:%%')",
            [],
        )
        cursor.execute(
            "DELETE FROM conversations_conversation WHERE visitor_id IN (SELECT id FROM "
            "conversations_visitor WHERE external_id LIKE 'hist:%%')",
            [],
        )
        cursor.execute("DELETE FROM conversations_visitor WHERE external_id LIKE 'hist:%%'", [])
        cursor.execute(
            f"""
            INSERT INTO conversations_visitor (organisation_id, channel_id, external_id, verified, display_name,
                first_name, last_name, email, phone, mobile, language, attributes, created_at, last_seen_at)
            SELECT %s, %s, 'hist:' || g, false, '',
                   ({_sql_array(FIRST_NAMES)})[1 + g %% {len(FIRST_NAMES)}],
                   ({_sql_array(LAST_NAMES)})[1 + (g / 7) %% {len(LAST_NAMES)}],
                   '', '', '', (ARRAY['en','fr','nl'])[1 + g %% 3], '{{}}'::jsonb,
                   now() - interval '400 days', now()
            FROM generate_series(1, %s) g""",
            [org.pk, channel.pk, CONVERSATIONS],
        )
        cursor.execute(
            f"""
            INSERT INTO conversations_conversation (organisation_id, channel_id, visitor_id, status, language,
                declined_by, created_at, queued_at, assigned_at, taken_at, first_response_at, last_message_at,
                ended_at, archived_at, away_sent, message_count, assignee_id)
            SELECT organisation_id, channel_id, id, t.status, language, '[]'::jsonb,
                   t.ended - interval '20 minutes', t.ended - interval '20 minutes', t.ended - interval '19 minutes',
                   t.ended - interval '19 minutes', t.ended - interval '18 minutes', t.ended, t.ended,
                   CASE WHEN t.status = 'archived' THEN t.ended + interval '1 day' END, false,
                   {MESSAGES_PER_CONVERSATION}, (%s::bigint[])[1 + id %% %s]
            FROM conversations_visitor v,
                 LATERAL (SELECT CASE WHEN v.id %% 10 < 7 THEN 'archived' ELSE 'ended' END AS status,
                                 now() - (v.id %% 365) * interval '1 day' - (v.id %% 1440) * interval '1 minute'
                                 AS ended) t
            WHERE v.external_id LIKE 'hist:%%'""",
            [agents, len(agents)],
        )
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        cursor.execute(
            f"""
            INSERT INTO conversations_message (organisation_id, channel_id, conversation_id, sender, author_id,
                body, created_at, delivery, delivery_attempts, delivery_error)
            SELECT c.organisation_id, c.channel_id, c.id,
                   CASE WHEN n %% 2 = 0 THEN 'visitor' ELSE 'agent' END,
                   CASE WHEN n %% 2 = 0 THEN NULL ELSE c.assignee_id END,
                   (SELECT string_agg(vocab[1 + floor(power(random(), 3) * cardinality(vocab))::int], ' ')
                      FROM generate_series(1, 4 + (c.id + n) %% 13) w
                      CROSS JOIN (SELECT {_sql_array(VOCABULARY)} AS vocab) v),
                   c.created_at + n * interval '1 minute', 'received', 0, ''
            FROM conversations_conversation c
            JOIN conversations_visitor vi ON vi.id = c.visitor_id AND vi.external_id LIKE 'hist:%%'
            CROSS JOIN generate_series(1, {MESSAGES_PER_CONVERSATION}) n""",
            [],
        )
        inserted_s = time.monotonic() - started
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(INDEX_SQL)
        indexed_s = time.monotonic() - started - inserted_s
        for table in ("conversations_visitor", "conversations_conversation", "conversations_message"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM conversations_message")
        total = cursor.fetchone()[0]
    return {"loaded": True, "messages": total, "insert_s": round(inserted_s, 1), "index_s": round(indexed_s, 1)}


def queries(n: int) -> list[str]:
    rng = random.Random(7)
    rare = rng.sample(TAIL, 40)
    made = []
    shapes = [
        lambda: rng.choice(DOMAIN),  # one domain word
        lambda: rng.choice(rare),  # a reference code
        lambda: rng.choice(COMMON[10:40]),  # a very common word
        lambda: f"{rng.choice(DOMAIN)} {rng.choice(DOMAIN)}",  # two words, both required
        lambda: f"{rng.choice(DOMAIN)} {rng.choice(rare)}",
        lambda: f'"{rng.choice(DOMAIN)} {rng.choice(DOMAIN)}"',  # phrase
        lambda: f"{rng.choice(DOMAIN)} or {rng.choice(DOMAIN)}",  # either
        lambda: f"{rng.choice(DOMAIN)} -{rng.choice(DOMAIN)}",  # negation
    ]
    while len(made) < n:
        made.append(shapes[len(made) % len(shapes)]())
    return made


def run_searches(texts: list[str]) -> list[dict]:
    from interact.accounts.models import User
    from interact.conversations.selectors import HistoryFilters, history

    user = User.objects.get(email="owner@bench.example")
    timings = []
    for text in texts:
        qs = history(user, HistoryFilters(text=text))
        t0 = time.perf_counter()
        page = list(qs[:25])
        t1 = time.perf_counter()
        total = qs.count()
        t2 = time.perf_counter()
        timings.append(
            {
                "text": text,
                "page_ms": (t1 - t0) * 1000,
                "count_ms": (t2 - t1) * 1000,
                "total_ms": (t2 - t0) * 1000,
                "matches": total,
                "page": len(page),
            }
        )
    return timings


def explain(text: str) -> str:
    from interact.accounts.models import User
    from interact.conversations.selectors import HistoryFilters, history

    user = User.objects.get(email="owner@bench.example")
    return history(user, HistoryFilters(text=text))[:25].explain(analyze=True, buffers=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    setup_django("embedded")
    print("loading 1,000,000 messages (skipped when present) ...", flush=True)
    loaded = load(args.reload)
    print(f"  {loaded}", flush=True)
    texts = queries(args.searches)
    run_searches(texts[:5])  # warm the cache and the connection, as a running server has them
    timings = run_searches(texts)
    totals = [t["total_ms"] for t in timings]
    summary = {q: round(percentile(totals, q), 1) for q in (50, 95, 99)}
    page = {q: round(percentile([t["page_ms"] for t in timings], q), 1) for q in (50, 95, 99)}
    count = {q: round(percentile([t["count_ms"] for t in timings], q), 1) for q in (50, 95, 99)}
    slowest = sorted(timings, key=lambda t: -t["total_ms"])[:5]
    # One frequent domain word and one rare reference code: the planner picks different shapes.
    plan_texts = [
        next(t["text"] for t in timings if t["text"] in DOMAIN),
        next(t["text"] for t in timings if t["text"] in TAIL),
    ]
    plans = {text: explain(text) for text in plan_texts}
    gin = {text: INDEX in plan for text, plan in plans.items()}
    save_result(
        "history_search",
        {
            "load": loaded,
            "searches": len(timings),
            "total_ms": summary,
            "page_ms": page,
            "count_ms": count,
            "slowest": slowest,
            "explain": plans,
            "uses_gin": gin,
        },
    )
    print(f"\nHistory search, {len(timings)} searches through selectors.history(), first page + count")
    print(f"  page+count  p50 {summary[50]:.0f} ms  p95 {summary[95]:.0f} ms  p99 {summary[99]:.0f} ms")
    print(f"  page (25)   p50 {page[50]:.0f} ms  p95 {page[95]:.0f} ms  p99 {page[99]:.0f} ms")
    print(f"  count       p50 {count[50]:.0f} ms  p95 {count[95]:.0f} ms  p99 {count[99]:.0f} ms")
    print("  slowest: " + "; ".join(f"{t['text']!r} {t['total_ms']:.0f} ms ({t['matches']} conv.)" for t in slowest))
    verdict = "MET" if summary[95] < GOAL_P95_MS else "NOT MET"
    print(f"Goal: p95 < {GOAL_P95_MS} ms -> {verdict}")
    for text, plan in plans.items():
        print(f"EXPLAIN ANALYZE of the first page for {text!r} (GIN index {INDEX} used: {gin[text]}):")
        print("\n".join("    " + line for line in plan.splitlines() if "Sort Key:" not in line))
    print(MACHINE_CAVEAT)


if __name__ == "__main__":
    main()
