"""What every benchmark shares: where things live, the server's environment, starting and
measuring one server process, and percentiles.

Kept in one place so the Interact server and the echo baseline are started, limited and
measured exactly the same way; any difference in the figures then comes from the application,
not from the harness.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / ".out"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

DB_NAME = "interact_bench"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_URL = f"{PG_BASE}/{DB_NAME}"
# A Redis database of our own, so flushing it never touches what concurrent test runs keep in db 0.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
# Fixed so the setup script and the server sign visitor tokens and session hashes alike.
SECRET_KEY = "bench-only-secret-key-not-for-production-6f1c0a9e2b7d4c3a8e5f"
HOST = "127.0.0.1"
INTERACT_PORT = 8701
ECHO_PORT = 8702
ORIGIN = f"http://{HOST}"


def django_env(mode: str = "production") -> dict[str, str]:
    """Environment for the Interact server (production mode, the hardening a real deployment has)
    or for in-process Django use by the setup scripts (embedded mode: no SMTP needed)."""
    env = dict(os.environ)
    env.update({
        # BENCH_DJANGO_SETTINGS=tuned_settings runs the A/B variant of bench/tuned_settings.py.
        "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_DJANGO_SETTINGS", "interact.settings"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH", "")])),
        "INTERACT_MODE": mode,
        "INTERACT_DATABASE_URL": DB_URL,
        "INTERACT_REDIS_URL": REDIS_URL,
        "INTERACT_SECRET_KEY": SECRET_KEY,
        "INTERACT_DATA_DIR": str(OUT_DIR / "data"),
        "INTERACT_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "INTERACT_DEMO": "0",
        # TLS is terminated by a proxy in production; here the client talks plain ws:// directly.
        "INTERACT_SSL_REDIRECT": "0",
    })
    if mode == "production":
        # Production refuses to start without SMTP; nothing the server does in these benchmarks sends
        # mail. In-process (embedded) use writes mail to files instead, e.g. the owner's invitation.
        env["INTERACT_EMAIL_URL"] = "smtp://127.0.0.1:2525"
    else:
        env.pop("INTERACT_EMAIL_URL", None)
    return env


def setup_django(mode: str = "embedded") -> None:
    """Configure this process for in-process use of the product (setup and history scripts)."""
    os.environ.update(django_env(mode))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def raise_nofile() -> int:
    """Lift the soft open-files limit to the hard one: 5,000 sockets need 5,000 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {OUT_DIR}/server-*.log")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not listen on {port} within {timeout}s")


def start_server(kind: str) -> tuple[subprocess.Popen, int]:
    """Start ONE uvicorn process (``interact`` or ``echo``) through ``serve.py``, which raises its
    file-descriptor limit first; returns the process (its pid is uvicorn's) and port."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    port = INTERACT_PORT if kind == "interact" else ECHO_PORT
    log = open(OUT_DIR / f"server-{kind}.log", "ab")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen([PYTHON, str(BENCH_DIR / "serve.py"), kind, str(port)],  # noqa: S603
                            env=django_env("production"), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    _wait_port(port, proc)
    time.sleep(0.5)
    return proc, port


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_mb(pid: int) -> float:
    """Resident set size from /proc (psutil is not a dependency of the project)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, to show how saturated the 2 cores were."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def save_result(name: str, data: dict) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def load_result(name: str) -> dict | None:
    path = OUT_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


MACHINE_CAVEAT = (
    f"Machine: {os.cpu_count()} cores shared by the server, PostgreSQL, Redis and the benchmark clients "
    "(and by other people's test runs), so figures are pessimistic compared with a dedicated server."
)
