#!/usr/bin/env bash
# Install Interact with its test tools in ./.venv, lint, and run the whole test suite.
# Embedded default (SQLite) unless INTERACT_DATABASE_URL / INTERACT_REDIS_URL are set.
# Browser tests drive Debian's Chromium (/usr/bin/chromium); they are skipped when it is absent
# unless INTERACT_REQUIRE_BROWSER=1 (CI sets it and installs Chromium first).
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/ruff check src tests bench
exec .venv/bin/pytest "$@"
