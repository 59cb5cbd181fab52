#!/usr/bin/env bash
# Install Interact in ./.venv and run it on the embedded default (SQLite, in-process realtime and
# jobs) with demo data on http://127.0.0.1:8000. Needs only python3 (3.11+) with venv.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/interact demo
