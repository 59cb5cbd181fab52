"""A local stand-in for Meta's Graph API, answering as Meta documents (CHN-2, CHN-3).

It knows Pages and their access tokens, records every call, and can be told to fail the next
calls with Meta's own error bodies: rate limiting (613), an expired token (190 / 463), outside the
messaging window (10 / 2018278), a person not available (551), or no answer at all (HTTP 503
without a Graph error, which is what an outage in front of Graph looks like).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ERRORS = {
    "rate_limited": (400, {"message": "(#613) Calls to this api have exceeded the rate limit.",
                           "type": "OAuthException", "code": 613}),
    "token_expired": (400, {"message": "Error validating access token: Session has expired.",
                            "type": "OAuthException", "code": 190, "error_subcode": 463}),
    "outside_window": (400, {"message": "(#10) This message is sent outside of allowed window.",
                             "type": "OAuthException", "code": 10, "error_subcode": 2018278}),
    "unavailable": (400, {"message": "(#551) This person isn't available right now.",
                          "type": "OAuthException", "code": 551, "error_subcode": 1545041}),
    "temporary": (500, {"message": "An unexpected error has occurred. Please retry your request later.",
                        "type": "OAuthException", "code": 2, "is_transient": True}),
}


@dataclass
class Call:
    method: str
    path: str
    query: dict
    body: dict | None


@dataclass
class FakeGraph:
    url: str = ""
    pages: dict[str, dict] = field(default_factory=dict)  # token -> {"id", "name"}
    profiles: dict[str, dict] = field(default_factory=dict)  # psid -> {"first_name", "last_name"}
    calls: list[Call] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # names from ERRORS, or "outage"
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add_page(self, page_id: str, token: str, name: str = "Test Page") -> None:
        self.pages[token] = {"id": page_id, "name": name}

    def fail_next(self, *names: str) -> None:
        self.failures.extend(names)

    def sent(self, path_suffix: str) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path.endswith(path_suffix)]

    # -- request handling --------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict | str]:
        self.calls.append(Call(method, path, query, body))
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "outage":
                return 503, "<html>Service Unavailable</html>"
            status, error = ERRORS[failure]
            return status, {"error": {**error, "fbtrace_id": "AbCdEf123"}}
        page = self.pages.get(query.get("access_token", ""))
        if page is None:
            return 400, {"error": {"message": "Invalid OAuth access token - Cannot parse access token",
                                   "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEf123"}}
        parts = [p for p in path.split("/") if p]
        if parts and parts[0].startswith("v") and parts[0][1:].replace(".", "").isdigit():
            parts = parts[1:]
        if method == "GET" and parts == ["me"]:
            return 200, {"id": page["id"], "name": page["name"]}
        if method == "POST" and len(parts) == 2 and parts[1] == "subscribed_apps" and parts[0] == page["id"]:
            return 200, {"success": True}
        if method == "POST" and len(parts) == 2 and parts[1] == "messages" and parts[0] in (page["id"], "me"):
            recipient = (body or {}).get("recipient", {}).get("id")
            text = (body or {}).get("message", {}).get("text")
            if not recipient or not text or len(text) > 2000:
                return 400, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException",
                                       "code": 100}}
            return 200, {"recipient_id": recipient, "message_id": f"m_sent{next(self._ids)}"}
        if method == "POST" and len(parts) == 2 and parts[1] == "comments":
            if not (body or {}).get("message"):
                return 400, {"error": {"message": "(#100) Missing message", "type": "OAuthException", "code": 100}}
            return 200, {"id": f"{parts[0].split('_')[0]}_{900000 + next(self._ids)}"}
        if method == "GET" and len(parts) == 1 and parts[0] in self.profiles:
            return 200, {**self.profiles[parts[0]], "id": parts[0]}
        return 400, {"error": {"message": "(#100) Unsupported request", "type": "GraphMethodException",
                               "code": 100}}


def start(graph: FakeGraph) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw) if raw else None
            status, answer = graph.answer(method, parts.path, query, body)
            data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if isinstance(answer, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    graph.url = f"http://127.0.0.1:{server.server_port}/v21.0"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
