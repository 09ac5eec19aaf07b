"""A directory front for Pebble that adds ARI (RFC 9773), on 127.0.0.1.

Why: Debian's Pebble 2.4 has no renewalInfo, and no CA can be told to fail its ARI lookups on
purpose. This server answers two things only: GET /dir with Pebble's own directory plus a
`renewalInfo` entry pointing here, and GET /renewal-info/<id> as `mode` says. Every other URL
in that directory is Pebble's, so orders, validation and certificates are real.

Modes: "window" (a valid suggested window: `windows` per certificate id, else WINDOW, with
`retry_after` as the Retry-After header when set), "fail" (500 with a problem document),
"garbage" (200 with a body that is not JSON), "hang" (no answer until the front is closed:
a slow or hostile CA).
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tui.pebble import Pebble

WINDOW = {"start": "2026-12-01T00:00:00Z", "end": "2026-12-03T00:00:00Z"}


@dataclass
class AriFront:
    base: str
    pebble_directory: dict[str, Any]
    mode: str = "window"
    lookups: list[str] = field(default_factory=list)  # the certificate ids asked for
    windows: dict[str, dict[str, str]] = field(default_factory=dict)  # per certificate id
    retry_after: str = ""
    closing: threading.Event = field(default_factory=threading.Event)  # ends "hang"

    @property
    def directory_url(self) -> str:
        return f"{self.base}/dir"

    def answer(self, path: str) -> tuple[int, str, bytes]:
        if path == "/dir":
            directory = {**self.pebble_directory, "renewalInfo": f"{self.base}/renewal-info/"}
            return 200, "application/json", json.dumps(directory).encode()
        if not path.startswith("/renewal-info/"):
            return 404, "text/plain", b"not here"
        cert_id = path.removeprefix("/renewal-info/")
        self.lookups.append(cert_id)
        if self.mode == "fail":
            problem = {"type": "urn:ietf:params:acme:error:serverInternal", "detail": "ARI down"}
            return 500, "application/problem+json", json.dumps(problem).encode()
        if self.mode == "hang":
            self.closing.wait(600)
        if self.mode == "garbage":
            return 200, "application/json", b"<html>not json</html>"
        window = self.windows.get(cert_id, WINDOW)
        return 200, "application/json", json.dumps({"suggestedWindow": window}).encode()


def _handler(front: AriFront) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections kept open, as a CA's are

        def do_GET(self) -> None:
            status, content_type, body = front.answer(self.path)
            # After "hang" the client has given up and gone: nothing to answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if front.retry_after and self.path.startswith("/renewal-info/"):
                    self.send_header("Retry-After", front.retry_after)
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            """Quiet: the test reads what it needs from `lookups`."""

    return Handler


class _Server(ThreadingHTTPServer):
    """A listen backlog for 200 lookups at once (the default 5 drops SYNs: 1 s retries)."""

    request_queue_size = 256
    daemon_threads = True


@contextmanager
def ari_front(pebble: Pebble) -> Iterator[AriFront]:
    context = ssl.create_default_context(cafile=str(pebble.ca_bundle))
    with urllib.request.urlopen(pebble.directory_url, context=context, timeout=10) as response:  # noqa: S310 - Pebble on loopback
        directory = json.load(response)
    server = _Server(("127.0.0.1", 0), BaseHTTPRequestHandler)
    front = AriFront(f"http://127.0.0.1:{server.server_address[1]}", directory)
    server.RequestHandlerClass = _handler(front)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield front
    finally:
        front.closing.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
