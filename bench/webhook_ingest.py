"""Facebook webhook ingestion (CHN-2): signed Messenger events per second, and a retry storm.

Why: Meta sends a Page's events to ``/webhooks/facebook/<webhook_key>/`` and wants a 200 within
seconds; an event it does not get a 200 for is sent again, and under load it sends the same
event several times. The issue asks for at least 1,000 events/s on this machine, and for a
retry storm (every event sent 3 times) to leave zero duplicates and zero losses.

What runs, in production mode on PostgreSQL + Redis like the other benchmarks:

* its own database ``interact_bench_webhook`` and Redis database 8 (the other benchmarks use
  ``interact_bench`` and db 7), both dropped/flushed at the start, so this can run while they do;
* one organisation (Pro, office hours all day, so no away message), one connected Page: the
  ``FacebookPage`` row with its encrypted token and app secret and its Messenger and Page
  comments channels, written directly as ``connect_page`` does, without asking Meta; and
  ``--people`` Messenger visitors that already have a name (a first contact would ask Meta's
  profile API; ``INTERACT_GRAPH_API_URL`` points at a closed local port in case it does);
* one uvicorn process (the flags of ``interact serve``; ``--server-workers`` for more) and the
  job worker ``interact worker`` (huey, 2 threads) as a separate process, so the jobs that turn
  stored events into messages really run;
* a load client in this process: ``--concurrency`` keep-alive connections in a closed loop,
  each POST a Messenger webhook body signed over its raw bytes (``X-Hub-Signature-256``), every
  event with its own ``mid``, from ``--people`` distinct PSIDs. The default client writes
  HTTP/1.1 on asyncio streams (uvloop), because httpx.AsyncClient costs several times more CPU
  per request on cores the server needs; ``--client httpx`` measures with httpx instead.

Phases (``--only`` picks one):

* ``single``: one event per POST for ``--seconds`` (after a 2 s warm-up that is not counted);
* ``batch``: ``--batch`` events per POST (default 10 and 50), as Meta batches under load: several
  ``entry`` items, each with its ``messaging`` item (Meta documents one messaging item per
  entry; the processing loops over both either way);
* ``storm``: ``--storm-events`` events, every body sent 3 times (identical bytes and signature,
  as Meta's retries are), shuffled and sent concurrently.

After each phase the client polls the database until every stored event is processed, then
checks: Message rows per ``mid`` (duplicates), acknowledged ``mid`` without a message (losses),
non-200 answers, events failed or still pending, visitors with more than one open conversation.

Figures: acknowledged POSTs/s and events/s over the window, acknowledgement latency
p50/p95/p99, processing throughput (messages/s from the first event received to the last
processed, from ``received_at``/``processed_at``), the drain after the load stopped, and the CPU
of the server, the worker, PostgreSQL, Redis and the client, and the whole machine's busy share.

usage: webhook_ingest.py [--seconds 20] [--concurrency 32] [--batch 10,50] [--only single|batch|storm]
                         [--storm-events 3000] [--server-workers 1] [--client raw|httpx] [--tag T]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
import redis  # noqa: E402
from common import (  # noqa: E402
    HOST,
    MACHINE_CAVEAT,
    OUT_DIR,
    PG_BASE,
    PYTHON,
    REDIS_URL,
    ROOT,
    cpu_seconds,
    django_env,
    machine_busy,
    percentile,
    raise_nofile,
    save_result,
    stop_server,
)

GOAL_EVENTS_PER_S = 1000
DB_NAME = "interact_bench_webhook"
DB_URL = f"{PG_BASE}/{DB_NAME}"
WEBHOOK_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/8"
PORT = 8703
PAGE_ID = "104857600123"
TOKEN = "EAAGm0PX4ZCpsBAFakePageAccessToken123456"
APP_SECRET = "0123456789abcdef0123456789abcdef"
WARMUP_SECONDS = 2.0
DRAIN_TIMEOUT = 120.0
WORDS = ["hello", "my", "order", "has", "not", "arrived", "yet", "can", "you", "check", "the", "tracking",
         "number", "please", "I", "paid", "with", "card", "yesterday", "and", "the", "invoice", "shows", "a",
         "different", "address", "thanks", "for", "your", "help", "bonjour", "merci"]


def bench_env() -> dict[str, str]:
    env = django_env("production")
    env.update({"INTERACT_DATABASE_URL": DB_URL, "INTERACT_REDIS_URL": WEBHOOK_REDIS_URL,
                # nothing here may reach Meta: a profile lookup fails at once instead of waiting 10 s
                "INTERACT_GRAPH_API_URL": "http://127.0.0.1:9/v21.0"})
    return env


# --- setup ---------------------------------------------------------------------------------------

def setup(people: int, cold: bool) -> dict:
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(WEBHOOK_REDIS_URL).flushdb()
    env = bench_env()
    env["INTERACT_MODE"] = "embedded"
    env.pop("INTERACT_EMAIL_URL", None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction
    from setup_db import create_organisation

    from interact.accounts.models import User
    from interact.connectors.models import Channel, ChannelKind, FacebookPage
    from interact.conversations.models import Conversation, Status, Visitor
    from interact.core import clock
    from interact.core.crypto import encrypt

    call_command("migrate", interactive=False, verbosity=0)
    org, _webchat = create_organisation()
    now = clock.now()
    with transaction.atomic():
        page = FacebookPage.objects.create(organisation=org, page_id=PAGE_ID, name="Bench Bakery",
                                           access_token_encrypted=encrypt(TOKEN),
                                           app_secret_encrypted=encrypt(APP_SECRET), created_at=now)
        channels = {kind: Channel.objects.create(organisation=org, kind=kind, page=page,
                                                 name=f"{page.name} · {ChannelKind(kind).label}"[:100])
                    for kind in (ChannelKind.MESSENGER, ChannelKind.PAGE_COMMENTS)}
    messenger = channels[ChannelKind.MESSENGER]
    psids = [str(6_000_000_000_000_000 + 7919 * i) for i in range(people)]
    visitors = Visitor.objects.bulk_create([
        Visitor(organisation=org, channel=messenger, external_id=psid, verified=True, display_name=f"Person {i}",
                created_at=now, last_seen_at=now) for i, psid in enumerate(psids)])
    if not cold:
        # Chats in progress, 50 per agent: the steady state. Cold (every person's first message
        # opens a conversation in the queue) is --cold.
        agents = [User.objects.create_user(f"agent{a}@bench.example", organisation=org, role="agent",
                                           first_name=f"Agent{a}", last_name="Bench", max_conversations=50)
                  for a in range((len(visitors) + 49) // 50)]
        Conversation.objects.bulk_create([
            Conversation(organisation=org, channel=messenger, visitor=visitor, status=Status.ACTIVE,
                         assignee=agents[i // 50], created_at=now, queued_at=now, assigned_at=now, taken_at=now,
                         last_message_at=now) for i, visitor in enumerate(visitors)])
    connections.close_all()
    return {"webhook_key": page.webhook_key, "channel": messenger.pk, "psids": psids}


# --- processes -----------------------------------------------------------------------------------

def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {OUT_DIR}/server-webhook.log")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not listen on {port} within {timeout}s")


def start_processes(server_workers: int) -> tuple[subprocess.Popen, subprocess.Popen]:
    """The server with ``interact serve``'s uvicorn flags (plus ``--workers``), and ``interact worker``."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    worker_log = open(OUT_DIR / "worker-webhook.log", "ab")  # noqa: SIM115 - lives as long as the worker
    worker = subprocess.Popen([PYTHON, "-m", "interact.cli", "worker"], env=env, stdout=worker_log,
                              stderr=subprocess.STDOUT, cwd=ROOT)
    args = [PYTHON, "-m", "uvicorn", "interact.asgi:application", "--host", HOST, "--port", str(PORT),
            "--no-access-log", "--ws-max-size", "65536", "--ws-per-message-deflate", "false"]
    if server_workers > 1:
        args += ["--workers", str(server_workers)]
    server_log = open(OUT_DIR / "server-webhook.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(args, env=env, stdout=server_log, stderr=subprocess.STDOUT, cwd=ROOT,
                              preexec_fn=raise_nofile)  # noqa: PLW1509
    _wait_port(PORT, server)
    time.sleep(1.0 if server_workers == 1 else 3.0)
    return server, worker


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return pids


def _by_name(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            total += cpu_seconds(pid)
    return total


def _postgres_cpu() -> float:
    """Live PostgreSQL processes plus what the postmaster reaped: backends come and go with the
    connections, and an exited backend's CPU moves to its parent's cutime/cstime."""
    pids = _by_name("postgres")
    total = _cpu(pids)
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) not in pids:  # the postmaster
                total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return total


class Usage:
    """CPU of each party during a phase, as a share of one core; and the machine's busy share."""

    def __init__(self, server: subprocess.Popen, worker: subprocess.Popen):
        self.groups = {"server": lambda: _cpu(_tree(server.pid)), "worker": lambda: _cpu(_tree(worker.pid)),
                       "postgres": _postgres_cpu, "redis": lambda: _cpu(_by_name("redis-server"))}

    def start(self) -> None:
        self.t0, self.busy0, self.client0 = time.monotonic(), machine_busy(), time.process_time()
        self.cpu0 = {k: f() for k, f in self.groups.items()}

    def stop(self) -> dict:
        elapsed = max(time.monotonic() - self.t0, 1e-9)
        busy1 = machine_busy()
        out = {f"{k}_cpu_pct": round((f() - self.cpu0[k]) / elapsed * 100) for k, f in self.groups.items()}
        out["client_cpu_pct"] = round((time.process_time() - self.client0) / elapsed * 100)
        out["machine_busy_pct"] = round((busy1[0] - self.busy0[0]) / max(busy1[1] - self.busy0[1], 1) * 100)
        # everything else on the box (other people's test runs), in % of one core
        out["others_cpu_pct"] = max(0, out["machine_busy_pct"] * (os.cpu_count() or 1)
                                    - sum(v for k, v in out.items() if k.endswith("_cpu_pct")))
        return out


# --- payloads ------------------------------------------------------------------------------------

class Events:
    """Messenger text events with unique mids, round-robin over the PSIDs."""

    def __init__(self, psids: list[str], prefix: str):
        self.psids, self.prefix, self.seq = psids, prefix, 0
        self.rng = random.Random(prefix)

    def item(self) -> tuple[str, dict]:
        self.seq += 1
        mid = f"m_{self.prefix}{self.seq:08d}_{secrets.token_urlsafe(42)}"
        now = int(time.time() * 1000)
        text = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 16)))
        return mid, {"sender": {"id": self.psids[self.seq % len(self.psids)]}, "recipient": {"id": PAGE_ID},
                     "timestamp": now, "message": {"mid": mid, "text": text}}

    def post(self, events: int) -> tuple[list[str], bytes, str]:
        """One POST: ``events`` entries, each with one messaging item, signed over the raw body."""
        from interact.connectors.meta import sign

        mids, entries = [], []
        for _ in range(events):
            mid, item = self.item()
            mids.append(mid)
            entries.append({"id": PAGE_ID, "time": item["timestamp"], "messaging": [item]})
        body = json.dumps({"object": "page", "entry": entries}, separators=(",", ":")).encode()
        return mids, body, sign(APP_SECRET, body)


# --- clients -------------------------------------------------------------------------------------

class RawConnection:
    """HTTP/1.1 keep-alive POSTs on asyncio streams: just enough of the protocol for this server."""

    def __init__(self, path: str):
        self.path, self.reader, self.writer = path, None, None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, PORT)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def post(self, body: bytes, signature: str) -> int:
        if self.writer is None:
            await self._open()
        head = (f"POST {self.path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nX-Hub-Signature-256: {signature}\r\n"
                f"User-Agent: facebookexternalua\r\n\r\n").encode()
        try:
            self.writer.write(head + body)
            status = int((await self.reader.readline()).split()[1])
            length, chunked, close = 0, False, False
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
                elif name == b"connection":
                    close = b"close" in value.lower()
            if chunked:
                while size := int((await self.reader.readline()).strip(), 16):
                    await self.reader.readexactly(size + 2)
                await self.reader.readline()
            else:
                await self.reader.readexactly(length)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            await self.close()
            return 0
        if close:
            await self.close()
        return status


class HttpxConnection:
    def __init__(self, client, path: str):
        self.client, self.url = client, f"http://{HOST}:{PORT}{path}"

    async def post(self, body: bytes, signature: str) -> int:
        import httpx

        try:
            response = await self.client.post(self.url, content=body, headers={
                "Content-Type": "application/json", "X-Hub-Signature-256": signature})
        except httpx.HTTPError:
            return 0
        return response.status_code

    async def close(self) -> None:
        pass


class Load:
    """Closed loop: ``concurrency`` connections, each sends its next POST when the last is answered."""

    def __init__(self, kind: str, path: str, concurrency: int):
        self.kind, self.path, self.concurrency = kind, path, concurrency

    async def run(self, next_post, until: float | None) -> list[tuple]:
        """``next_post()`` gives (mids, body, signature) or None when there is nothing left; runs
        until that, or until monotonic ``until``. Returns (start, end, status, mids) per POST."""
        records: list[tuple] = []
        client = None
        if self.kind == "httpx":
            import httpx

            client = httpx.AsyncClient(limits=httpx.Limits(max_connections=self.concurrency,
                                                           max_keepalive_connections=self.concurrency),
                                       timeout=30)

        async def one() -> None:
            conn = HttpxConnection(client, self.path) if client else RawConnection(self.path)
            while until is None or time.monotonic() < until:
                post = next_post()
                if post is None:
                    break
                mids, body, signature = post
                start = time.monotonic()
                status = await conn.post(body, signature)
                records.append((start, time.monotonic(), status, mids))
            await conn.close()

        try:
            await asyncio.gather(*(one() for _ in range(self.concurrency)))
        finally:
            if client is not None:
                await client.aclose()
        return records


# --- checks --------------------------------------------------------------------------------------

def _pg():
    return psycopg.connect(DB_URL, autocommit=True)


def last_event_id() -> int:
    with _pg() as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM connectors_webhookevent").fetchone()[0]


def drain(after_id: int, timeout: float = DRAIN_TIMEOUT) -> dict:
    """Poll until no event after ``after_id`` is pending (or the time-out); then the processing figures."""
    deadline = time.monotonic() + timeout
    with _pg() as conn:
        while True:
            pending = conn.execute("SELECT count(*) FROM connectors_webhookevent WHERE id > %s AND status = 'pending'",
                                   (after_id,)).fetchone()[0]
            if pending == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        row = conn.execute(
            """SELECT count(*), count(*) FILTER (WHERE status = 'processed'), count(*) FILTER (WHERE status = 'failed'),
                      count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE attempts > 1),
                      extract(epoch FROM min(received_at)), extract(epoch FROM max(processed_at)),
                      percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (
                          ORDER BY extract(epoch FROM processed_at - received_at))
               FROM connectors_webhookevent WHERE id > %s""", (after_id,)).fetchone()
        errors = [r[0] for r in conn.execute(
            "SELECT DISTINCT left(error, 200) FROM connectors_webhookevent WHERE id > %s AND error <> '' LIMIT 5",
            (after_id,)).fetchall()]
    stored, processed, failed, pending, retried, first_received, last_processed, lag = row
    return {"stored_events": stored, "processed_events": processed, "failed_events": failed,
            "pending_events": pending, "retried_events": retried, "errors": errors,
            "first_received": float(first_received or 0), "last_processed": float(last_processed or 0),
            "lag_s": [round(v, 3) for v in (lag or [])], "drained": pending == 0}


def verify(channel: int, prefix: str, sent_mids: set[str], acked_mids: set[str]) -> dict:
    with _pg() as conn:
        rows = conn.execute(
            "SELECT external_id, count(*) FROM conversations_message WHERE channel_id = %s AND external_id LIKE %s "
            "GROUP BY external_id", (channel, f"m\\_{prefix}%")).fetchall()
        open_twice = conn.execute(
            """SELECT count(*) FROM (SELECT visitor_id FROM conversations_conversation
                                     WHERE channel_id = %s AND status IN ('bot', 'queued', 'offered', 'active')
                                     GROUP BY visitor_id HAVING count(*) > 1) t""", (channel,)).fetchone()[0]
    stored = {mid: n for mid, n in rows}
    return {
        "message_rows": sum(stored.values()),
        "distinct_mids": len(stored),
        "duplicates": sum(n - 1 for n in stored.values()),
        "sent_mids": len(sent_mids),
        "acked_mids": len(acked_mids),
        "lost": len(acked_mids - stored.keys()),
        "never_acked": len(sent_mids - acked_mids),
        "unexpected": len(stored.keys() - sent_mids),
        "visitors_open_twice": open_twice,
    }


# --- phases --------------------------------------------------------------------------------------

def _run(coro, loop_factory):
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(coro)


def _summarise(name: str, records: list[tuple], window: tuple[float, float], events_per_post: int) -> dict:
    lo, hi = window
    inside = [r for r in records if lo <= r[1] <= hi]
    ok = [r for r in inside if r[2] == 200]
    statuses = Counter(r[2] for r in records)
    latencies = [(r[1] - r[0]) * 1000 for r in ok]
    seconds = hi - lo
    return {
        "phase": name, "events_per_post": events_per_post, "window_s": round(seconds, 1),
        "posts": len(records), "posts_ok": statuses.get(200, 0),
        "non_200": sum(n for s, n in statuses.items() if s != 200),
        "statuses": {str(k): v for k, v in statuses.items()},
        "posts_per_s": round(len(ok) / seconds, 1),
        "events_per_s": round(sum(len(r[3]) for r in ok) / seconds, 1),
        "ack_ms": {q: round(percentile(latencies, q), 1) for q in (50, 95, 99, 100)},
    }


def _processing(result: dict, processing: dict, load_end_epoch: float, messages: int) -> None:
    span = processing["last_processed"] - processing["first_received"]
    done = processing["processed_events"] > 0 and span > 0
    result["processing"] = processing
    result["messages_per_s"] = round(messages / span, 1) if done else None
    result["bodies_per_s"] = round(processing["processed_events"] / span, 1) if done else None
    result["drain_after_load_s"] = (round(max(processing["last_processed"] - load_end_epoch, 0), 1)
                                    if processing["drained"] else None)


def sustained(name: str, ctx: dict, args, events_per_post: int, usage: Usage) -> dict:
    prefix = f"{ctx['nonce']}{name[0]}{events_per_post}x"
    events = Events(ctx["psids"], prefix)
    sent: set[str] = set()

    def next_post():
        post = events.post(events_per_post)
        sent.update(post[0])
        return post

    after = last_event_id()
    start = time.monotonic()
    lo, hi = start + WARMUP_SECONDS, start + WARMUP_SECONDS + args.seconds
    print(f"  {name}: {events_per_post} event(s)/POST, {args.concurrency} connections, "
          f"{WARMUP_SECONDS:.0f} s warm-up + {args.seconds:.0f} s", flush=True)

    async def go():
        await asyncio.sleep(max(0.0, lo - time.monotonic()))
        usage.start()

    async def main():
        task = asyncio.ensure_future(go())
        records = await ctx["load"].run(next_post, hi)
        await task
        return records

    records = _run(main(), ctx["loop_factory"])
    result = _summarise(name, records, (lo, hi), events_per_post)
    result.update(usage.stop())
    load_end = time.time()
    processing = drain(after, args.drain_timeout)
    acked = {mid for r in records if r[2] == 200 for mid in r[3]}
    result["check"] = verify(ctx["channel"], prefix, sent, acked)
    _processing(result, processing, load_end, result["check"]["message_rows"])
    if not processing["drained"]:
        result["check"]["lost"] = None  # not known yet: the events still pending are stored, not lost
    _print_phase(result)
    return result


def storm(ctx: dict, args, usage: Usage) -> dict:
    prefix = f"{ctx['nonce']}r3x"
    events = Events(ctx["psids"], prefix)
    bodies = [events.post(args.storm_batch) for _ in range(args.storm_events // args.storm_batch)]
    posts = bodies * 3
    random.Random(7).shuffle(posts)
    sent = {mid for mids, _b, _s in bodies for mid in mids}
    queue = iter(posts)
    print(f"  storm: {len(sent)} events in {len(bodies)} bodies, each sent 3x = {len(posts)} POSTs, "
          f"shuffled, {args.concurrency} connections", flush=True)
    after = last_event_id()
    usage.start()
    start = time.monotonic()
    records = _run(ctx["load"].run(lambda: next(queue, None), None), ctx["loop_factory"])
    end = time.monotonic()
    result = _summarise("storm", records, (start, end), args.storm_batch)
    result.update(usage.stop())
    result["events_per_s"] = round(sum(len(r[3]) for r in records if r[2] == 200) / (end - start), 1)
    load_end = time.time()
    processing = drain(after, args.drain_timeout)
    acked = {mid for r in records if r[2] == 200 for mid in r[3]}
    result["check"] = verify(ctx["channel"], prefix, sent, acked)
    result["copies_acked_per_event"] = dict(Counter(Counter(
        mid for r in records if r[2] == 200 for mid in r[3]).values()))
    _processing(result, processing, load_end, result["check"]["message_rows"])
    _print_phase(result)
    return result


def _print_phase(r: dict) -> None:
    a, c, p = r["ack_ms"], r["check"], r["processing"]
    print(f"    acked {r['posts_per_s']:.0f} POST/s = {r['events_per_s']:.0f} events/s; ack p50/p95/p99 "
          f"{a[50]:.0f}/{a[95]:.0f}/{a[99]:.0f} ms; non-200 {r['non_200']} {r['statuses']}; CPU server "
          f"{r['server_cpu_pct']}% worker {r['worker_cpu_pct']}% pg {r['postgres_cpu_pct']}% redis "
          f"{r['redis_cpu_pct']}% client {r['client_cpu_pct']}% others {r['others_cpu_pct']}%, "
          f"box {r['machine_busy_pct']}%", flush=True)
    print(f"    processed {p['processed_events']}/{p['stored_events']} stored bodies (failed {p['failed_events']}, "
          f"pending {p['pending_events']}, retried {p['retried_events']}) -> {c['message_rows']} messages at "
          f"{r['messages_per_s']} msg/s ({r['bodies_per_s']} bodies/s); drain after load {r['drain_after_load_s']} s; "
          f"received->processed "
          f"p50/p95/p99 {p['lag_s']} s", flush=True)
    print(f"    check: {c['message_rows']} rows for {c['distinct_mids']} distinct mids -> duplicates "
          f"{c['duplicates']}; acked mids {c['acked_mids']}/{c['sent_mids']}, lost {c['lost']}, never acked "
          f"{c['never_acked']}; visitors with 2 open conversations {c['visitors_open_twice']}"
          + (f"; errors {p['errors']}" if p["errors"] else ""), flush=True)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def report(results: list[dict], args) -> None:
    print(f"\nFacebook webhook ingestion, {args.server_workers} server process(es) + 1 huey worker (2 threads), "
          f"{args.concurrency} connections, client {args.client}")
    print(f"{'phase':<10}{'ev/POST':>8}{'POST/s':>8}{'events/s':>10}{'goal':>7}{'ack p50/p95/p99 ms':>21}"
          f"{'non200':>7}{'msg/s':>7}{'drain s':>8}{'dup':>5}{'lost':>5}{'srv':>6}{'wrk':>5}{'pg':>5}{'other':>6}"
          f"{'box':>5}")
    for r in results:
        a, c = r["ack_ms"], r["check"]
        lost = "?" if c["lost"] is None else c["lost"]
        print(f"{r['phase']:<10}{r['events_per_post']:>8}{r['posts_per_s']:>8.0f}{r['events_per_s']:>10.0f}"
              f"{r['events_per_s'] / GOAL_EVENTS_PER_S:>6.2f}x{a[50]:>9.0f}/{a[95]:>5.0f}/{a[99]:>5.0f}"
              f"{r['non_200']:>7}{_num(r['messages_per_s']):>7}{_num(r['drain_after_load_s']):>8}"
              f"{c['duplicates']:>5}{lost:>5}{r['server_cpu_pct']:>5}%{r['worker_cpu_pct']:>4}%"
              f"{r['postgres_cpu_pct']:>4}%{r['others_cpu_pct']:>5}%{r['machine_busy_pct']:>4}%")
    for r in results:
        if r["phase"] == "storm":
            c = r["check"]
            verdict = "met" if c["duplicates"] == 0 and c["lost"] == 0 and r["non_200"] == 0 else "NOT met"
            print(f"Retry storm: {r['posts']} POSTs, {r['non_200']} non-200; {c['sent_mids']} distinct mids, "
                  f"{c['message_rows']} Message rows -> {c['duplicates']} duplicates, {c['lost']} lost "
                  f"({c['never_acked']} never acknowledged): {verdict}.")
    single = next((r for r in results if r["phase"] == "single"), None)
    if single:
        verdict = "met" if single["events_per_s"] >= GOAL_EVENTS_PER_S else "NOT met"
        print(f"Goal >= {GOAL_EVENTS_PER_S} events/s with one event per POST: {single['events_per_s']:.0f}/s = "
              f"{single['events_per_s'] / GOAL_EVENTS_PER_S:.2f}x: {verdict}.")
    print("goal = events/s / 1,000; msg/s = messages stored by the worker from the first event received to the "
          "last processed; drain = from the end of the load to the last event processed, '-' = not drained "
          "within --drain-timeout (lost '?': the pending events are stored, not lost); CPU in % of one core "
          "(other = the rest of the machine).")
    print(MACHINE_CAVEAT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch", default="10,50", help="events per POST of the batch phase, comma-separated")
    parser.add_argument("--only", choices=["single", "batch", "storm"])
    parser.add_argument("--storm-events", type=int, default=3000)
    parser.add_argument("--storm-batch", type=int, default=1, help="events per body in the storm")
    parser.add_argument("--people", type=int, default=1000, help="distinct PSIDs")
    parser.add_argument("--cold", action="store_true",
                        help="no conversation open beforehand: each person's first message opens one in the queue")
    parser.add_argument("--server-workers", type=int, default=1, help="uvicorn --workers")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    parser.add_argument("--drain-timeout", type=float, default=DRAIN_TIMEOUT)
    parser.add_argument("--tag", default="", help="suffix of the result file")
    args = parser.parse_args()
    raise_nofile()
    started = time.monotonic()
    fixture = setup(args.people, args.cold)
    state = "no conversations (cold)" if args.cold else "each in an open conversation assigned to an agent"
    print(f"database {DB_NAME}: 1 Page, {args.people} Messenger people, {state}; "
          f"setup {time.monotonic() - started:.0f} s", flush=True)
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    ctx = {**fixture, "nonce": secrets.token_hex(3), "loop_factory": loop_factory,
           "load": Load(args.client, f"/webhooks/facebook/{fixture['webhook_key']}/", args.concurrency)}
    server, worker = start_processes(args.server_workers)
    usage = Usage(server, worker)
    results = []
    try:
        # The storm first: it must be processed completely, and a batch phase leaves a backlog that
        # the worker is still processing when the next phase starts (see the drain column).
        if args.only in (None, "storm"):
            results.append(storm(ctx, args, usage))
        if args.only in (None, "single"):
            results.append(sustained("single", ctx, args, 1, usage))
        if args.only in (None, "batch"):
            for size in (int(b) for b in args.batch.split(",")):
                results.append(sustained("batch", ctx, args, size, usage))
    finally:
        stop_server(server)
        stop_server(worker)
    save_result("webhook_ingest" + (f"-{args.tag}" if args.tag else ""),
                {"args": vars(args), "results": results})
    report(results, args)


if __name__ == "__main__":
    main()
