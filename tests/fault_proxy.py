"""A fault-injecting HTTPS proxy on 127.0.0.1 between acmedash and a REAL Pebble (issue 10's
fault matrix). Pebble cannot fail on demand; this proxy makes one chosen request fail in one
chosen way and passes every other request through to Pebble untouched.

Why a CONNECT proxy that terminates TLS, not a reverse proxy: Pebble's directory, Location
headers and JWS "url" fields all name Pebble's own origin, and Pebble refuses a JWS whose "url"
is not the URL it was sent to. Behind a reverse proxy every URL would have to be rewritten in
both directions, signed ones included. As an HTTP proxy (HTTPS_PROXY, which acmedash honours)
the client keeps talking to Pebble's real URLs; the proxy answers CONNECT, terminates TLS with
a certificate from its own test CA (the client trusts it through --ca-bundle), reads each
request, and forwards it to Pebble over a verified TLS connection of its own.

A rule names an operation (method and path prefix), which occurrence of it to spoil (the first
by default; later ones pass) and the fault. Faults answered before forwarding (resets, stalls,
5xx, 429, a problem without a type) never reach Pebble: the CA did not act. The others spoil
Pebble's real answer, so the CA did act.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.hostile_http import MiB, reset_connection, response
from tui.pebble import _write_tls_files

# The faults, each with what it does, as the matrix table names them.
FAULTS: dict[str, str] = {
    "reset-before": "TCP reset before any answer (not forwarded)",
    "reset-mid-body": "head and half the body, then a TCP reset",
    "stall": "no answer at all, past the read timeout (not forwarded)",
    "trickle": "the real answer, one body byte a second",
    "500": "500 with a text body (not forwarded)",
    "502-html": "502 with an HTML page (not forwarded)",
    "503-after-secs": "503, Retry-After: 1 (not forwarded)",
    "429-after-secs": "429, Retry-After: 1 (not forwarded)",
    "503-after-date": "503, Retry-After as an HTTP date 1-2 s ahead (not forwarded)",
    "429-after-date": "429, Retry-After as an HTTP date 1-2 s ahead (not forwarded)",
    "503-after-huge": "503, Retry-After: 999999999 (not forwarded)",
    "429-after-huge": "429, Retry-After: 999999999 (not forwarded)",
    "truncated": "half the body, then the connection closed",
    "two-lengths": "two Content-Length headers that disagree",
    "huge-body": "a body of 64 MiB",
    "json-array": "a JSON array instead of the object",
    "wrong-type": "the real body as Content-Type: text/html",
    "no-nonce": "the real answer without Replay-Nonce",
    "no-location": "the real answer without Location",
    "problem-no-type": "400 problem document with no type (not forwarded)",
}
_NOT_FORWARDED = {name for name, text in FAULTS.items() if "not forwarded" in text}
HUGE = 64 * MiB


@dataclass(frozen=True)
class Rule:
    method: str
    path: str  # a prefix of the request path
    fault: str
    nth: int = 1


@dataclass
class FaultProxy:
    """Runs in a thread with its own event loop, so an in-process CLI run (asyncio.run) and
    the dashboard's loop both reach it. `rules` may be replaced between runs (`arm`)."""

    upstream_ca: Path
    folder: Path
    rules: list[Rule] = field(default_factory=list)
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)
    hits: list[Rule] = field(default_factory=list)
    port: int = 0
    ca_bundle: Path = Path()
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arm(self, *rules: Rule) -> None:
        self.rules, self.hits = list(rules), []
        self.seen.clear()

    def start(self) -> FaultProxy:
        self.ca_bundle, cert, key = _write_tls_files(self.folder)
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(cert, key)
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        self._upstream = httpx.AsyncClient(
            verify=ssl.create_default_context(cafile=str(self.upstream_ca)), timeout=30
        )
        server = loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(self._upstream.aclose())
        loop.close()

    def _rule_for(self, method: str, path: str) -> Rule | None:
        for rule in self.rules:
            if method == rule.method and path.startswith(rule.path):
                self.seen[(rule.method, rule.path)] += 1
                if self.seen[(rule.method, rule.path)] == rule.nth:
                    self.hits.append(rule)
                    return rule
        return None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ")[1].decode()
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await writer.start_tls(self._tls)
                while await self._one(reader, writer, f"https://{target}"):
                    pass
            finally:
                writer.close()

    async def _one(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, origin: str
    ) -> bool:
        """One request on the tunnel; False when the connection is over."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if line]
        length = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
        body = await reader.readexactly(length)
        rule = self._rule_for(method, path)
        fault = rule.fault if rule else ""
        if fault in _NOT_FORWARDED:
            return await self._refuse(fault, writer, reader)
        forwarded = {k: v for k, v in headers if k.lower() not in ("host", "content-length")}
        answer = await self._upstream.request(
            method, origin + path, headers=forwarded, content=body
        )
        status = f"{answer.status_code} {answer.reason_phrase}"
        kept = tuple(
            f"{k}: {v}"
            for k, v in answer.headers.items()
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "date")
        )
        real = b"" if method == "HEAD" else answer.content
        return await self._spoil(
            fault, writer, method=method, status=status, headers=kept, body=real
        )

    async def _refuse(
        self, fault: str, writer: asyncio.StreamWriter, reader: asyncio.StreamReader
    ) -> bool:
        if fault == "reset-before":
            reset_connection(writer)
            return False
        if fault == "stall":
            await reader.read()  # until the client gives up
            return False
        problem = ("Content-Type: application/problem+json",)
        if fault == "500":
            data = response(b"oops", "500 Internal Server Error", ("Content-Type: text/plain",))
        elif fault == "502-html":
            page = b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
            data = response(page, "502 Bad Gateway", ("Content-Type: text/html",))
        elif fault == "problem-no-type":
            body = json.dumps({"detail": "the CA did not say what kind", "status": 400})
            data = response(body.encode(), "400 Bad Request", problem)
        else:
            status = "503 Service Unavailable" if fault.startswith("503") else "429 Too Many"
            if fault.endswith("secs"):
                after = "1"
            elif fault.endswith("date"):
                after = email.utils.formatdate(time.time() + 2, usegmt=True)
            else:
                after = "999999999"
            kind = "rateLimited" if status.startswith("429") else "serverInternal"
            body = json.dumps(
                {"type": f"urn:ietf:params:acme:error:{kind}", "detail": "come back later"}
            )
            data = response(body.encode(), status, (*problem, f"Retry-After: {after}"))
        return await _send(writer, data)

    async def _spoil(
        self,
        fault: str,
        writer: asyncio.StreamWriter,
        *,
        method: str,
        status: str,
        headers: tuple[str, ...],
        body: bytes,
    ) -> bool:
        if fault == "no-nonce":
            headers = tuple(h for h in headers if not h.lower().startswith("replay-nonce:"))
        elif fault == "no-location":
            headers = tuple(h for h in headers if not h.lower().startswith("location:"))
        elif fault == "wrong-type":
            headers = (*_without_type(headers), "Content-Type: text/html")
        elif fault == "json-array" and body:
            body = b'["not", "an", "object"]'
        if fault in ("reset-mid-body", "truncated") and body:
            cut = response(body[: len(body) // 2], status, headers, length=False)
            head_end = cut.index(b"\r\n\r\n")
            data = cut[:head_end] + f"\r\nContent-Length: {len(body)}".encode() + cut[head_end:]
            await _send(writer, data)
            await asyncio.sleep(0.05)
            if fault == "reset-mid-body":
                reset_connection(writer)
            return False
        if fault == "two-lengths":
            lengths = (f"Content-Length: {len(body)}", f"Content-Length: {len(body) + 7}")
            await _send(writer, response(body, status, (*headers, *lengths), length=False))
            return False
        if fault == "huge-body":
            head = response(b"", status, (*headers, f"Content-Length: {HUGE}"), length=False)
            if not await _send(writer, head) or method == "HEAD":
                return not writer.is_closing()
            chunk = b" " * 65536
            for _ in range(HUGE // len(chunk)):
                if not await _send(writer, chunk):
                    return False
            return True
        if fault == "trickle" and body:
            head = response(b"", status, (*headers, f"Content-Length: {len(body)}"), length=False)
            if not await _send(writer, head):
                return False
            for byte in body:
                await asyncio.sleep(1)
                if not await _send(writer, bytes([byte])):
                    return False
            return True
        # HEAD: the real Content-Length of the GET, and no body.
        return await _send(writer, response(body, status, headers))


def _without_type(headers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(h for h in headers if not h.lower().startswith("content-type:"))


async def _send(writer: asyncio.StreamWriter, data: bytes) -> bool:
    try:
        writer.write(data)
        await writer.drain()
    except (ConnectionError, RuntimeError):
        return False
    return not writer.is_closing()
