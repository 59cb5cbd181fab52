"""End-to-end latency of a visitor's message: sent -> acknowledged (stored) -> on the agent's screen.

Why: the promise of live chat is that an agent sees a message about as soon as the visitor sent
it, and the widget's ``ack`` means the message is durably stored. This measures both under a
steady offered load (default 200 msg/s, then 500 msg/s, 20 s each), against Interact (one
uvicorn process in production mode on PostgreSQL + Redis) and then the echo baseline with the
same client, so the report can give Interact's cost as a ratio to the transport's own.

Load shape, chosen to stay under the widget's rate limits without changing them (10 then 1 per
second per socket, 60 per minute per visitor): 1,000 visitor sockets (from setup_db.py's
fixture, each with an open conversation assigned to one of 20 agents) take turns, so at
500 msg/s each visitor sends one message every 2 s. Every agent has one inbox socket subscribed
to its 50 conversations (an inbox socket's maximum). The client runs as ``--workers`` processes,
each owning whole agent groups, so a message's send, ack and delivery are timed by one process's
monotonic clock; a single Python process would otherwise be the bottleneck. Client, server,
PostgreSQL and Redis share the machine's 2 cores, which the report says.

Per phase: offered and achieved send rate, acks and deliveries per second, p50/p95/p99/max
latency of send -> ack and send -> ``message.created`` on the agent socket (matched on
client_id), errors by code, messages never delivered within the drain, the server process's CPU
and the machine's busy share.

usage: latency.py [--rates 200,500] [--duration 20] [--workers 2] [--only interact|echo]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    MACHINE_CAVEAT,
    OUT_DIR,
    cpu_seconds,
    machine_busy,
    percentile,
    raise_nofile,
    rss_mb,
    save_result,
    start_server,
    stop_server,
)
from wsclient import open_inbox, open_visitor  # noqa: E402

DRAIN_SECONDS = 8
WORDS = [
    "hello",
    "my",
    "order",
    "has",
    "not",
    "arrived",
    "yet",
    "can",
    "you",
    "check",
    "the",
    "tracking",
    "number",
    "please",
    "I",
    "paid",
    "with",
    "card",
    "yesterday",
    "and",
    "the",
    "invoice",
    "shows",
    "a",
    "different",
    "address",
    "thanks",
    "for",
    "your",
    "help",
]


class Worker:
    """One client process: its agents' inbox sockets and their visitors' sockets."""

    def __init__(self, index: int, port: int, public_key: str, groups: list[dict], nonce: str):
        self.index, self.port, self.public_key, self.groups, self.nonce = index, port, public_key, groups, nonce
        self.visitors = []  # (socket, conversation id)
        self.sent: dict[str, float] = {}
        self.acked: dict[str, float] = {}
        self.delivered: dict[str, float] = {}
        self.errors: Counter[str] = Counter()
        self.subscribed = 0

    async def _visitor_reader(self, ws) -> None:
        try:
            async for raw in ws:
                now = time.monotonic()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "ack":
                    self.acked.setdefault(frame.get("client_id"), now)
                elif kind == "error":
                    self.errors[frame.get("code") or "error"] += 1
        except Exception as error:  # noqa: BLE001 - a dropped socket is an error, counted
            self.errors[f"visitor_socket_{type(error).__name__}"] += 1

    async def _agent_reader(self, ws) -> None:
        try:
            async for raw in ws:
                now = time.monotonic()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "event" and frame.get("event") == "message.created":
                    client_id = frame["payload"].get("client_id")
                    if client_id in self.sent:
                        self.delivered.setdefault(client_id, now)
                elif kind == "subscribed":
                    self.subscribed += 1
                elif kind == "error":
                    self.errors[f"inbox_{frame.get('code')}"] += 1
        except Exception as error:  # noqa: BLE001
            self.errors[f"inbox_socket_{type(error).__name__}"] += 1

    async def _open_group(self, group: dict) -> None:
        conversations = []
        for token in group["visitor_tokens"]:
            ws, welcome = await open_visitor(self.port, self.public_key, token)
            conversation = (welcome.get("conversation") or {}).get("id")
            conversations.append(conversation)
            self.visitors.append((ws, conversation))
            asyncio.get_running_loop().create_task(self._visitor_reader(ws))
        inbox = await open_inbox(self.port, group["cookie"])
        asyncio.get_running_loop().create_task(self._agent_reader(inbox))
        for n, conversation in enumerate(conversations):
            if conversation is None:
                continue
            await inbox.send(json.dumps({"type": "subscribe", "conversation": conversation}))
            if n >= 15:  # the inbox socket's bucket: 20 at once, then 5 per second
                await asyncio.sleep(0.22)

    async def prepare(self) -> None:
        gate = asyncio.Semaphore(4)

        async def one(group):
            async with gate:
                await self._open_group(group)

        await asyncio.gather(*(one(group) for group in self.groups))
        expected = sum(1 for _ws, c in self.visitors if c is not None)
        deadline = time.monotonic() + 30
        while self.subscribed < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        random.Random(self.index).shuffle(self.visitors)

    async def phase(self, number: int, rate: float, duration: float, start: float) -> dict:
        """Send at ``rate`` per second from ``start`` (monotonic) for ``duration`` seconds, round-robin
        over this worker's visitors; then wait out the drain and summarise."""
        count = int(rate * duration)
        ids = []
        max_lag = 0.0
        rng = random.Random(number * 100 + self.index)
        for n in range(count):
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                max_lag = max(max_lag, -delay)
            ws, _conversation = self.visitors[n % len(self.visitors)]
            client_id = f"{self.nonce}-{number}-{self.index}-{n}"
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
            self.sent[client_id] = time.monotonic()
            ids.append(client_id)
            try:
                await ws.send(json.dumps({"type": "message", "client_id": client_id, "body": body}))
            except Exception as error:  # noqa: BLE001
                self.errors[f"send_{type(error).__name__}"] += 1
        last_send = time.monotonic()
        drain_until = start + duration + DRAIN_SECONDS
        while time.monotonic() < drain_until and any(i not in self.delivered for i in ids[-50:]):
            await asyncio.sleep(0.1)
        await asyncio.sleep(max(0.0, drain_until - time.monotonic()))
        errors = dict(self.errors)
        self.errors.clear()
        return {
            "sent": len(ids),
            "first_send": self.sent[ids[0]] if ids else 0,
            "last_send": last_send,
            "max_lag": max_lag,
            "errors": errors,
            "ack_ms": [(self.acked[i] - self.sent[i]) * 1000 for i in ids if i in self.acked],
            "delivery_ms": [(self.delivered[i] - self.sent[i]) * 1000 for i in ids if i in self.delivered],
            "last_ack": max((self.acked[i] for i in ids if i in self.acked), default=0),
            "last_delivery": max((self.delivered[i] for i in ids if i in self.delivered), default=0),
        }


def _worker_main(index, port, public_key, groups, nonce, phases, inbox: mp.Queue, outbox: mp.Queue) -> None:
    raise_nofile()

    async def run():
        worker = Worker(index, port, public_key, groups, nonce)
        try:
            await worker.prepare()
        except Exception as error:  # noqa: BLE001 - reported to the coordinator instead of hanging it
            outbox.put(("failed", index, repr(error)))
            return
        outbox.put(("ready", index, {"visitors": len(worker.visitors), "subscribed": worker.subscribed}))
        t0 = await asyncio.get_running_loop().run_in_executor(None, inbox.get)
        results = []
        offset = 0.0
        for number, (rate, duration) in enumerate(phases):
            cpu_before = time.process_time()
            result = await worker.phase(number, rate, duration, t0 + offset)
            result["client_cpu_s"] = time.process_time() - cpu_before
            results.append(result)
            offset += duration + DRAIN_SECONDS + 1
        outbox.put(("done", index, results))

    asyncio.run(run())


def measure(kind: str, fixture: dict, rates: list[int], duration: float, workers: int, servers: int = 1) -> dict:
    """``servers`` > 1 starts that many server processes sharing PostgreSQL and Redis, as
    production runs them; client worker i talks to server i mod ``servers``."""
    started_servers = [start_server(kind) for _ in range(servers)]
    procs_srv = [proc for proc, _port in started_servers]
    ports = [port for _proc, port in started_servers]
    groups = (
        fixture["groups"]
        if kind == "interact"
        else [{"cookie": None, "visitor_tokens": [None] * len(g["visitor_tokens"])} for g in fixture["groups"]]
    )
    nonce = secrets.token_hex(4)
    phases = [(rate / workers, duration) for rate in rates]
    ctx = mp.get_context("fork")
    outbox = ctx.Queue()
    inboxes = [ctx.Queue() for _ in range(workers)]
    procs = [
        ctx.Process(
            target=_worker_main,
            args=(i, ports[i % servers], fixture["public_key"], groups[i::workers], nonce, phases, inboxes[i],
                  outbox),
        )
        for i in range(workers)
    ]
    try:
        started = time.monotonic()
        for p in procs:
            p.start()
        ready = {}
        while len(ready) < workers:
            status, index, info = outbox.get(timeout=300)
            if status == "failed":
                raise RuntimeError(f"worker {index} failed: {info}")
            ready[index] = info
        print(
            f"  {kind}: {sum(r['visitors'] for r in ready.values())} visitor sockets, "
            f"{sum(r['subscribed'] for r in ready.values())} subscriptions ready in "
            f"{time.monotonic() - started:.0f} s; RSS {sum(rss_mb(p.pid) for p in procs_srv):.0f} MB",
            flush=True,
        )
        t0 = time.monotonic() + 1.0
        for q in inboxes:
            q.put(t0)
        server_usage = []
        offset = 0.0
        for rate, _ in zip(rates, phases, strict=True):
            begin = t0 + offset
            time.sleep(max(0.0, begin - time.monotonic()))
            cpu0, busy0 = sum(cpu_seconds(p.pid) for p in procs_srv), machine_busy()
            time.sleep(duration)
            cpu1, busy1 = sum(cpu_seconds(p.pid) for p in procs_srv), machine_busy()
            server_usage.append(
                {
                    "server_cpu_pct": round((cpu1 - cpu0) / duration * 100),
                    "machine_busy_pct": round((busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1) * 100),
                    "rss_mb": round(sum(rss_mb(p.pid) for p in procs_srv)),
                }
            )
            print(f"  {kind}: {rate} msg/s phase sent", flush=True)
            offset += duration + DRAIN_SECONDS + 1
        done = {}
        while len(done) < workers:
            status, index, info = outbox.get(timeout=120)
            done[index] = info
    finally:
        for p in procs:
            if p.is_alive():
                p.join(timeout=5)
            if p.is_alive():
                p.kill()
        for server in procs_srv:
            stop_server(server)
    phases_out = []
    for number, rate in enumerate(rates):
        parts = [done[i][number] for i in range(workers)]
        sent = sum(p["sent"] for p in parts)
        first = min(p["first_send"] for p in parts)
        last_send = max(p["last_send"] for p in parts)
        ack_ms = [v for p in parts for v in p["ack_ms"]]
        delivery_ms = [v for p in parts for v in p["delivery_ms"]]
        last_ack = max(p["last_ack"] for p in parts)
        last_delivery = max(p["last_delivery"] for p in parts)
        errors: Counter[str] = Counter()
        for p in parts:
            errors.update(p["errors"])
        phases_out.append(
            {
                "offered_per_s": rate,
                "sent": sent,
                "sent_per_s": round(sent / max(last_send - first, 1e-9), 1),
                "acked": len(ack_ms),
                "acked_per_s": round(len(ack_ms) / max(last_ack - first, 1e-9), 1),
                "delivered": len(delivery_ms),
                "delivered_per_s": round(len(delivery_ms) / max(last_delivery - first, 1e-9), 1),
                "undelivered": sent - len(delivery_ms),
                "errors": dict(errors),
                "ack_ms": {q: round(percentile(ack_ms, q), 1) for q in (50, 95, 99, 100)},
                "delivery_ms": {q: round(percentile(delivery_ms, q), 1) for q in (50, 95, 99, 100)},
                "client_max_lag_ms": round(max(p["max_lag"] for p in parts) * 1000, 1),
                "client_cpu_pct": round(sum(p["client_cpu_s"] for p in parts) / duration * 100),
                **server_usage[number],
            }
        )
    return {"server": kind, "servers": servers, "workers": workers, "duration_s": duration, "phases": phases_out}


def report(results: list[dict]) -> None:
    print("\nVisitor message -> ack (stored) -> agent's inbox socket, one server process")
    print(
        f"{'server':<9}{'offered':>8}{'sent/s':>8}{'ack/s':>7}{'dlv/s':>7}{'lost':>6}"
        f"{'ack p50/p95/p99 ms':>22}{'deliver p50/p95/p99 ms':>26}{'srv CPU':>8}{'box':>6}{'cli CPU':>8}  errors"
    )
    for r in results:
        label = r["server"] + (f" x{r['servers']}" if r.get("servers", 1) > 1 else "")
        for p in r["phases"]:
            a, d = p["ack_ms"], p["delivery_ms"]
            print(
                f"{label:<9}{p['offered_per_s']:>8}{p['sent_per_s']:>8.0f}{p['acked_per_s']:>7.0f}"
                f"{p['delivered_per_s']:>7.0f}{p['undelivered']:>6}"
                f"{a[50]:>8.0f}/{a[95]:>6.0f}/{a[99]:>6.0f}{d[50]:>10.0f}/{d[95]:>7.0f}/{d[99]:>7.0f}"
                f"{p['server_cpu_pct']:>7}%{p['machine_busy_pct']:>5}%{p['client_cpu_pct']:>7}%  "
                f"{p['errors'] or '-'}"
            )
    by = {r["server"]: r for r in results}
    if "interact" in by and "echo" in by:
        for mine, base in zip(by["interact"]["phases"], by["echo"]["phases"], strict=True):
            ratio = [mine["delivery_ms"][q] / max(base["delivery_ms"][q], 0.01) for q in (50, 95, 99)]
            print(
                f"At {mine['offered_per_s']} msg/s: delivery latency Interact / echo = "
                f"{ratio[0]:.0f}x / {ratio[1]:.0f}x / {ratio[2]:.0f}x (p50/p95/p99); delivered rate "
                f"{mine['delivered_per_s'] / max(base['delivered_per_s'], 0.01):.2f}x"
            )
    print(f"Client: {results[0]['workers']} processes on the same machine. {MACHINE_CAVEAT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="200,500")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["interact", "echo"])
    parser.add_argument("--tag", default="", help="suffix of the result file, e.g. for an A/B variant run")
    parser.add_argument("--servers", type=int, default=1,
                        help="Interact server processes sharing PostgreSQL and Redis (the echo baseline keeps one)")
    args = parser.parse_args()
    raise_nofile()
    fixture = json.loads((OUT_DIR / "fixture.json").read_text())
    rates = [int(r) for r in args.rates.split(",")]
    results = []
    for kind in ("interact", "echo"):
        if args.only and kind != args.only:
            continue
        print(f"{kind}: latency at {rates} msg/s, {args.duration:.0f} s each", flush=True)
        servers = args.servers if kind == "interact" else 1
        results.append(measure(kind, fixture, rates, args.duration, args.workers, servers))
    save_result("latency" + (f"-{args.tag}" if args.tag else ""), {"results": results})
    report(results)


if __name__ == "__main__":
    main()
