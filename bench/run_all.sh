#!/usr/bin/env bash
# Run every benchmark once, in an order where each starts from a known state, then print one
# summary table with Interact's figures and their ratio to the echo baseline. About 15 minutes
# on the 2-core machine; each script also prints its own detailed table on the way.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
log=bench/.out/run_all.log
mkdir -p bench/.out
rm -f bench/.out/ws_capacity.json bench/.out/latency.json bench/.out/history_search.json
{
  echo "== setup: fresh interact_bench database =="; $PY bench/setup_db.py
  echo "== idle sockets =="; $PY bench/ws_capacity.py
  echo "== latency =="; $PY bench/latency.py
  echo "== history search =="; $PY bench/history_search.py
  echo "== summary =="; $PY bench/summary.py
} 2>&1 | tee "$log"
