"""How many idle visitor sockets one server process holds, and what they cost in memory.

Why: every open website tab keeps a widget socket open for as long as the visitor stays, whether
they chat or not, so idle sockets (not messages) are what fills a server first. Goal: one
process holds 5,000 greeted visitor sockets under 1.5 GB RSS.

For each server (Interact on PostgreSQL + Redis in production mode, then the echo baseline),
one uvicorn process is started through serve.py (which raises its open-files limit); the client
raises its own limit, then opens sockets in steps of ``--step`` (at most ``--concurrency``
handshakes in flight), each sending ``hello`` and waiting for ``welcome`` like the widget does.
Interact's hello creates a new anonymous visitor each time, as a first page view does. After each
step the server's RSS is read from /proc. At the top, the sockets are held for ``--hold``
seconds, then a sample answers a ``ping`` to prove they are alive, and the ones still open are
counted.

usage: ws_capacity.py [--connections 5000] [--step 1000] [--only interact|echo]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    MACHINE_CAVEAT,
    OUT_DIR,
    percentile,
    raise_nofile,
    rss_mb,
    save_result,
    start_server,
    stop_server,
)
from websockets.protocol import State  # noqa: E402
from wsclient import open_visitor  # noqa: E402

GOAL_CONNECTIONS = 5000
GOAL_RSS_MB = 1536


async def _alive(ws) -> bool:
    try:
        await ws.send(json.dumps({"type": "ping"}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
            if frame.get("type") == "pong":
                return True
    except Exception:  # noqa: BLE001, S110 - any failure means "not alive"
        pass
    return False


async def measure(kind: str, public_key: str, connections: int, step: int, concurrency: int, hold: float) -> dict:
    proc, port = start_server(kind)
    pid = proc.pid
    sockets = []
    failures: Counter[str] = Counter()
    handshake_ms: list[float] = []
    steps = []
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            started = time.monotonic()
            try:
                ws, _welcome = await open_visitor(port, public_key)
            except Exception as error:  # noqa: BLE001 - every failure is counted by its kind
                failures[type(error).__name__] += 1
                return
            handshake_ms.append((time.monotonic() - started) * 1000)
            sockets.append(ws)

    try:
        # One greeted socket first so the baseline RSS includes the code paths a socket loads.
        await one()
        await asyncio.sleep(1)
        rss_start = rss_mb(pid)
        opened = 1
        ramp_started = time.monotonic()
        while opened < connections:
            batch = min(step, connections - opened)
            t = time.monotonic()
            await asyncio.gather(*(one() for _ in range(batch)))
            opened += batch
            steps.append({"attempted": opened, "open": len(sockets), "rss_mb": round(rss_mb(pid), 1),
                          "seconds": round(time.monotonic() - t, 1)})
            print(f"  {kind}: {len(sockets):>5} open, {sum(failures.values())} failed, "
                  f"RSS {steps[-1]['rss_mb']:.0f} MB ({steps[-1]['seconds']} s for this step)", flush=True)
        ramp_seconds = time.monotonic() - ramp_started
        await asyncio.sleep(hold)
        rss_held = rss_mb(pid)
        sample = random.sample(sockets, min(200, len(sockets)))
        alive = sum(await asyncio.gather(*(_alive(ws) for ws in sample)))
        held = sum(1 for ws in sockets if ws.state is State.OPEN)
    finally:
        for ws in sockets:
            ws.transport.abort()
        stop_server(proc)
    per_conn_kb = (rss_held - rss_start) * 1024 / max(held, 1)
    return {
        "server": kind, "attempted": connections, "held": held, "failures": dict(failures),
        "rss_start_mb": round(rss_start, 1), "rss_held_mb": round(rss_held, 1),
        "rss_per_connection_kb": round(per_conn_kb, 1), "ping_sample": len(sample), "ping_alive": alive,
        "ramp_seconds": round(ramp_seconds, 1), "hello_rate_per_s": round((len(sockets) - 1) / ramp_seconds, 1),
        "handshake_ms_p50": round(percentile(handshake_ms, 50), 1),
        "handshake_ms_p95": round(percentile(handshake_ms, 95), 1), "steps": steps,
    }


def report(results: list[dict]) -> None:
    print("\nIdle visitor sockets (connect + hello -> welcome), one server process")
    print(f"{'server':<10}{'held':>7}{'failed':>8}{'RSS start':>11}{'RSS held':>10}{'KB/conn':>9}"
          f"{'hello/s':>9}{'hs p95 ms':>11}{'ping ok':>9}")
    for r in results:
        print(f"{r['server']:<10}{r['held']:>7}{sum(r['failures'].values()):>8}{r['rss_start_mb']:>9.0f}MB"
              f"{r['rss_held_mb']:>8.0f}MB{r['rss_per_connection_kb']:>9.1f}{r['hello_rate_per_s']:>9.0f}"
              f"{r['handshake_ms_p95']:>11.0f}{r['ping_alive']:>5}/{r['ping_sample']}")
    by = {r["server"]: r for r in results}
    if "interact" in by:
        r = by["interact"]
        verdict = "MET" if r["held"] >= GOAL_CONNECTIONS and r["rss_held_mb"] < GOAL_RSS_MB else "NOT MET"
        print(f"Goal: {GOAL_CONNECTIONS:,} sockets under {GOAL_RSS_MB / 1024:.1f} GB RSS -> {verdict} "
              f"({r['held']:,} held at {r['rss_held_mb']:.0f} MB)")
    if "interact" in by and "echo" in by and by["echo"]["rss_per_connection_kb"] > 0:
        print(f"Memory per socket: Interact / echo = "
              f"{by['interact']['rss_per_connection_kb'] / by['echo']['rss_per_connection_kb']:.1f}x")
    print(MACHINE_CAVEAT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=GOAL_CONNECTIONS)
    parser.add_argument("--step", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--hold", type=float, default=10)
    parser.add_argument("--only", choices=["interact", "echo"])
    parser.add_argument("--tag", default="", help="suffix of the result file, e.g. for an A/B variant run")
    args = parser.parse_args()
    limit = raise_nofile()
    if limit < args.connections + 100:
        sys.exit(f"open-files limit {limit} is too low for {args.connections} sockets")
    fixture = json.loads((OUT_DIR / "fixture.json").read_text())
    results = []
    for kind in ("interact", "echo"):
        if args.only and kind != args.only:
            continue
        print(f"{kind}: ramping to {args.connections} idle visitor sockets", flush=True)
        results.append(asyncio.run(measure(kind, fixture["public_key"], args.connections, args.step,
                                           args.concurrency, args.hold)))
    save_result("ws_capacity" + (f"-{args.tag}" if args.tag else ""), {"results": results})
    report(results)


if __name__ == "__main__":
    main()
