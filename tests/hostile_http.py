"""A hostile HTTP/1.1 server for the transport tests: asyncio, bound to 127.0.0.1 on a free
port, scripted per connection. It does what Pebble never does on demand: reset connections,
trickle, send endless or enormous bodies, gzip bombs, two framings at once, and bytes nobody
asked for. Every response is written out here as raw bytes; nothing parses them for us.

A script is a coroutine run for one accepted connection. The server runs its scripts in order,
one per connection, the last one again for any further connection (a client's retries).
`answering(...)` makes the common script: read a request, send the next answer, again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Self

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Request:
    head: bytes
    body: bytes

    @property
    def method(self) -> str:
        return self.head.split(b" ", 1)[0].decode()


class Peer:
    """One accepted connection, as a script sees it."""

    def __init__(
        self, server: HostileServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer

    async def request(self) -> Request | None:
        """The next request (head and Content-Length body); None when the client closed."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await self.reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        request = Request(head, body)
        self.server.requests.append(request)
        return request

    async def send(self, data: bytes) -> bool:
        """Writes and waits until written; False once the client has gone."""
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, RuntimeError):
            return False
        return not self.writer.is_closing()

    def reset(self) -> None:
        reset_connection(self.writer)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def reset_connection(writer: asyncio.StreamWriter) -> None:
    """A TCP reset: SO_LINGER with a zero timeout, then close, sends RST instead of FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


Script = Callable[[Peer], Awaitable[None]]
Answer = bytes | Callable[[Peer, Request], Awaitable[None]]


@dataclass
class HostileServer:
    scripts: tuple[Script, ...]
    tls: ssl.SSLContext | None = None
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def url(self, path: str = "/dir") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        script = self.scripts[min(self.connections, len(self.scripts) - 1)]
        self.connections += 1
        peer = Peer(self, reader, writer)
        try:
            await script(peer)
        finally:
            if not writer.is_closing():
                await peer.close()
            self._tasks.discard(task)


def serve(*scripts: Script, tls: ssl.SSLContext | None = None) -> HostileServer:
    return HostileServer(scripts, tls)


def answering(*answers: Answer) -> Script:
    """Each request on the connection gets the next answer: raw bytes, or an action. After the
    last answer the connection stays open until the client closes it."""

    async def script(peer: Peer) -> None:
        for answer in answers:
            request = await peer.request()
            if request is None:
                return
            if isinstance(answer, bytes):
                if not await peer.send(answer):
                    return
            else:
                await answer(peer, request)
        await peer.reader.read()  # the client's close (or nothing more ever)

    return script


def response(
    body: bytes = b"",
    status: str = "200 OK",
    headers: tuple[str, ...] = (),
    *,
    length: bool = True,
) -> bytes:
    """A raw HTTP/1.1 response; Content-Length from the body unless `length` is false."""
    lines = [f"HTTP/1.1 {status}", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def json_response(obj: Any, status: str = "200 OK", headers: tuple[str, ...] = ()) -> bytes:
    return response(json.dumps(obj).encode(), status, ("Content-Type: application/json", *headers))


def directory(server: HostileServer) -> bytes:
    """An ACME directory whose resources are all on the hostile server."""
    base = server.url("")
    return json_response(
        {
            "newNonce": f"{base}/nonce",
            "newAccount": f"{base}/acct",
            "newOrder": f"{base}/order",
            "revokeCert": f"{base}/revoke",
            "keyChange": f"{base}/key-change",
        },
    )


_nonces = iter(range(1_000_000))


def nonce() -> bytes:
    """An answer to HEAD newNonce."""
    return response(headers=(f"Replay-Nonce: nonce-{next(_nonces)}",))


def ok_json(obj: Any) -> bytes:
    """A JSON answer with a fresh nonce, as a signed POST's answer must carry one."""
    return json_response(obj, headers=(f"Replay-Nonce: nonce-{next(_nonces)}",))


# -- actions -------------------------------------------------------------------------------


async def send_directory(peer: Peer, request: Request) -> None:
    """The directory of the server the connection belongs to."""
    await peer.send(directory(peer.server))


async def reset(peer: Peer, request: Request) -> None:
    """Reads the request, answers with a TCP reset."""
    peer.reset()


async def close(peer: Peer, request: Request) -> None:
    """Reads the request and closes without a word."""
    await peer.close()


def reset_mid_body(total: int = 1000, sent: int = 100) -> Answer:
    """Sends the head and `sent` of `total` body bytes, then resets."""

    async def action(peer: Peer, request: Request) -> None:
        head = response(headers=(f"Content-Length: {total}",), length=False)
        await peer.send(head + b" " * sent)
        await asyncio.sleep(0.05)
        peer.reset()

    return action


def trickle(interval: float, count: int = 10_000) -> Answer:
    """A body that never ends in time: one byte per `interval`, at most `count` bytes."""

    async def action(peer: Peer, request: Request) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if not await peer.send(head + f"Content-Length: {count}\r\n\r\n".encode()):
            return
        for _ in range(count):
            await asyncio.sleep(interval)
            if not await peer.send(b" "):
                return

    return action


def drip_then_reset(seconds: float, interval: float = 0.1) -> Answer:
    """A byte every `interval` for `seconds`, then a TCP reset: every read is in time, and the
    reset invites a retry."""

    async def action(peer: Peer, request: Request) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if not await peer.send(head + b"Content-Length: 100000\r\n\r\n"):
            return
        for _ in range(round(seconds / interval)):
            await asyncio.sleep(interval)
            if not await peer.send(b" "):
                return
        peer.reset()

    return action


def huge_body(size: int = GiB, *, length: bool) -> Answer:
    """`size` bytes of body, with a Content-Length or delimited by the close (HTTP/1.0 style),
    written 64 KiB at a time until the client gives up."""

    async def action(peer: Peer, request: Request) -> None:
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        head += f"Content-Length: {size}\r\n\r\n" if length else "Connection: close\r\n\r\n"
        if not await peer.send(head.encode()):
            return
        chunk = b" " * 65536
        for _ in range(size // len(chunk)):
            if not await peer.send(chunk):
                return
        await peer.close()

    return action


def endless_chunked(limit: int = GiB) -> Answer:
    """A chunked body that goes on (up to `limit`) until the client gives up."""

    async def action(peer: Peer, request: Request) -> None:
        chunked = ("Content-Type: application/json", "Transfer-Encoding: chunked")
        if not await peer.send(response(headers=chunked, length=False)):
            return
        chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
        for _ in range(limit // 65536):
            if not await peer.send(chunk):
                return

    return action


@cache
def gzip_bomb(expanded: int = GiB) -> bytes:
    """A gzip stream of `expanded` zero bytes in about a thousandth of that. Each MiB of zeros
    compresses to the same block after a full flush, so the block is repeated, not computed."""
    zeros = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()
    crc = 0
    for _ in range(expanded // MiB):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, expanded & 0xFFFFFFFF)
    return header + block * (expanded // MiB) + end + trailer


def bomb_answer(expanded: int = GiB) -> Answer:
    async def action(peer: Peer, request: Request) -> None:
        body = gzip_bomb(expanded)
        await peer.send(
            response(body, headers=("Content-Type: application/json", "Content-Encoding: gzip"))
        )

    return action
