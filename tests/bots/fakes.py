"""A scripted chatbot HTTP server for tests (BOT-3): speaks our generic webhook protocol or Rasa's
REST channel, records every request, and checks our signature the way docs/bots.md tells bot
authors to.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class Received:
    path: str
    headers: dict
    raw: bytes
    signature_ok: bool | None

    @property
    def json(self):
        return json.loads(self.raw)


@dataclass
class FakeBot:
    """``answer(...)`` queues the next answers; without one the bot answers ``default``."""

    secret: str | None = None
    default: Scripted = field(default_factory=lambda: Scripted(204))
    requests: list[Received] = field(default_factory=list)
    script: deque = field(default_factory=deque)

    def __post_init__(self):
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- scripting ---------------------------------------------------------------------------

    def answer(self, payload=None, *, status: int = 200, raw: bytes | None = None, delay: float = 0.0) -> None:
        body = raw if raw is not None else (b"" if payload is None else json.dumps(payload).encode())
        self.script.append(Scripted(status, body, delay))

    def webhook_reply(self, *texts: str, handover: dict | None = None) -> None:
        payload: dict = {"replies": [{"text": t} for t in texts]}
        if handover is not None:
            payload["handover"] = handover
        self.answer(payload)

    def rasa_reply(self, *items: dict | str) -> None:
        self.answer([{"recipient_id": "x", "text": i} if isinstance(i, str) else {"recipient_id": "x", **i}
                     for i in items])

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/webhook"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def last(self) -> Received:
        with self._lock:
            return self.requests[-1]

    # --- serving -------------------------------------------------------------------------------

    def _check(self, headers: dict, raw: bytes) -> bool | None:
        if self.secret is None:
            return None
        timestamp = headers.get("x-interact-timestamp", "")
        given = headers.get("x-interact-signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = "sha256=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + raw,
                                        hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, given)

    def start(self) -> FakeBot:
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with bot._lock:
                    bot.requests.append(Received(self.path, headers, raw, bot._check(headers, raw)))
                    scripted = bot.script.popleft() if bot.script else bot.default
                if scripted.delay:
                    time.sleep(scripted.delay)
                try:
                    self.send_response(scripted.status)
                    self.send_header("Content-Type", scripted.content_type)
                    self.send_header("Content-Length", str(len(scripted.body)))
                    self.end_headers()
                    self.wfile.write(scripted.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (time-out tests)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
