"""A scripted ACME server on 127.0.0.1, for what Pebble cannot do: answer with hostile text
(control characters in a problem detail, an account status, a directory) and with JSON of the
wrong shape. It does not check signatures or nonces; each path answers what the test put there.

Plain http:// is fine: acmedash allows it on loopback. It runs in a thread, so the real
`acmedash` command (a subprocess) can talk to it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_REQUEST_BODY = 1 << 20


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return b"" if self.body is None else json.dumps(self.body).encode()


@dataclass
class ScriptedCa:
    """`routes`: the answer per path; a list is answered in turn, round and round."""

    base: str
    routes: dict[str, Answer | list[Answer]]
    requests: list[tuple[str, str]] = field(default_factory=list)

    @property
    def directory_url(self) -> str:
        return f"{self.base}/dir"

    def directory(self, **extra: Any) -> dict[str, Any]:
        """A directory naming this server's paths, plus `extra` members."""
        return {
            "newNonce": f"{self.base}/nonce",
            "newAccount": f"{self.base}/acct",
            "newOrder": f"{self.base}/order",
            "revokeCert": f"{self.base}/revoke",
            "keyChange": f"{self.base}/key-change",
            **extra,
        }


def _handler(ca: ScriptedCa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), MAX_REQUEST_BODY)
            self.rfile.read(length)
            ca.requests.append((self.command, self.path))
            answer = ca.routes.get(self.path, Answer(404, {"type": "about:blank"}))
            if isinstance(answer, list):
                turn = sum(path == self.path for _, path in ca.requests) - 1
                answer = answer[turn % len(answer)]
            body = answer.encoded()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Replay-Nonce", f"nonce{len(ca.requests)}")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = do_POST = _answer

        def log_message(self, *_args: Any) -> None:
            """Quiet: the test reads what it needs from `requests`."""

    return Handler


@contextmanager
def scripted_ca() -> Iterator[ScriptedCa]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    ca = ScriptedCa(f"http://127.0.0.1:{server.server_address[1]}", {})
    server.RequestHandlerClass = _handler(ca)
    ca.routes["/dir"] = Answer(body=ca.directory())
    ca.routes["/nonce"] = Answer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ca
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
