"""Start one uvicorn process with a raised open-files limit, then become it.

The limit must be raised inside the server's own process before uvicorn starts (a child
inherits it across ``exec``), otherwise the server refuses sockets at the soft limit long
before memory matters. The uvicorn flags are those of ``interact serve`` (see interact/cli.py),
so the benchmark measures the server as it is deployed; the echo baseline gets the same flags.

usage: serve.py interact|echo PORT
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_DIR, HOST, raise_nofile  # noqa: E402


def main() -> None:
    kind, port = sys.argv[1], sys.argv[2]
    raise_nofile()
    app = ["interact.asgi:application"] if kind == "interact" else ["--app-dir", str(BENCH_DIR), "echo_baseline:app"]
    args = [sys.executable, "-m", "uvicorn", *app, "--host", HOST, "--port", port,
            "--no-access-log", "--ws-max-size", "65536", "--ws-per-message-deflate", "false"]
    os.execv(sys.executable, args)  # noqa: S606


if __name__ == "__main__":
    main()
