"""Print one table from the JSON results the benchmarks saved, with ratios to the echo baseline.

Separate from the benchmarks so the summary can be reprinted (or compared) without re-running
anything; run_all.sh calls it last.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MACHINE_CAVEAT, load_result  # noqa: E402


def _ratio(mine: float, base: float) -> str:
    return f"{mine / base:.1f}x" if base else "-"


def main() -> None:
    rows = [("figure", "Interact", "echo", "ratio")]
    add = rows.append
    capacity = load_result("ws_capacity")
    if capacity:
        by = {r["server"]: r for r in capacity["results"]}
        i, e = by.get("interact"), by.get("echo")
        if i and e:
            rows += [
                (
                    "idle sockets held (of attempted)",
                    f"{i['held']}/{i['attempted']}",
                    f"{e['held']}/{e['attempted']}",
                    _ratio(i["held"], e["held"]),
                ),
                (
                    "server RSS holding them (MB)",
                    f"{i['rss_held_mb']:.0f}",
                    f"{e['rss_held_mb']:.0f}",
                    _ratio(i["rss_held_mb"], e["rss_held_mb"]),
                ),
                (
                    "RSS per socket (KB)",
                    f"{i['rss_per_connection_kb']:.0f}",
                    f"{e['rss_per_connection_kb']:.0f}",
                    _ratio(i["rss_per_connection_kb"], e["rss_per_connection_kb"]),
                ),
                (
                    "hello -> welcome per second",
                    f"{i['hello_rate_per_s']:.0f}",
                    f"{e['hello_rate_per_s']:.0f}",
                    _ratio(i["hello_rate_per_s"], e["hello_rate_per_s"]),
                ),
            ]
    latency = load_result("latency")
    if latency:
        by = {r["server"]: r for r in latency["results"]}
        i, e = by.get("interact"), by.get("echo")
        if i and e:
            for mine, base in zip(i["phases"], e["phases"], strict=True):
                rate = mine["offered_per_s"]
                add(
                    (
                        f"@{rate}/s messages delivered per s",
                        f"{mine['delivered_per_s']:.0f}",
                        f"{base['delivered_per_s']:.0f}",
                        _ratio(mine["delivered_per_s"], base["delivered_per_s"]),
                    )
                )
                rows.append(
                    (
                        f"@{rate}/s acked per s",
                        f"{mine['acked_per_s']:.0f}",
                        f"{base['acked_per_s']:.0f}",
                        _ratio(mine["acked_per_s"], base["acked_per_s"]),
                    )
                )
                for q in ("50", "95", "99"):
                    add(
                        (
                            f"@{rate}/s send->agent p{q} (ms)",
                            f"{mine['delivery_ms'][q]:.0f}",
                            f"{base['delivery_ms'][q]:.0f}",
                            _ratio(mine["delivery_ms"][q], base["delivery_ms"][q]),
                        )
                    )
                rows.append(
                    (
                        f"@{rate}/s send->ack p95 (ms)",
                        f"{mine['ack_ms']['95']:.0f}",
                        f"{base['ack_ms']['95']:.0f}",
                        _ratio(mine["ack_ms"]["95"], base["ack_ms"]["95"]),
                    )
                )
                add(
                    (
                        f"@{rate}/s not delivered / errors",
                        f"{mine['undelivered']} / {sum(mine['errors'].values())}",
                        f"{base['undelivered']} / {sum(base['errors'].values())}",
                        "",
                    )
                )
                add(
                    (
                        f"@{rate}/s server CPU / machine busy",
                        f"{mine['server_cpu_pct']}% / {mine['machine_busy_pct']}%",
                        f"{base['server_cpu_pct']}% / {base['machine_busy_pct']}%",
                        "",
                    )
                )
    history = load_result("history_search")
    if history:
        for q in ("50", "95", "99"):
            rows.append((f"History search p{q} (ms, page+count)", f"{history['total_ms'][q]:.0f}", "", ""))
        for text, used in history["uses_gin"].items():
            rows.append((f"History plan for {text!r} uses GIN", str(used), "", ""))
    widths = [max(len(str(r[c])) for r in rows) for c in range(4)]
    for n, row in enumerate(rows):
        print(
            "  ".join(
                str(cell).ljust(widths[c]) if c == 0 else str(cell).rjust(widths[c]) for c, cell in enumerate(row)
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print("Goals: 5,000 idle sockets < 1.5 GB RSS; History p95 < 300 ms. Ratio = Interact / echo baseline.")
    print(MACHINE_CAVEAT)


if __name__ == "__main__":
    main()
