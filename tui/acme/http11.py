"""The HTTP transport under AcmeClient: HTTP/1.1 keep-alive connections over asyncio streams,
framed by h11, behind httpx's transport interface.

Why not httpx's default transport (httpcore): measured on a 2-core machine against a local
Pebble (benchmarks/issuance.py), httpcore with h2 and anyio took about 2 ms of CPU per request
and about 80 ms of imports, more than the whole protocol exchange of an issuance. ACME sends
small JSON documents one at a time per order, so HTTP/2's multiplexing buys nothing that a few
kept-alive connections do not. Proxies from the environment still go through httpx's own
transport, which AsyncClient mounts for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from typing import NamedTuple

import h11
import httpx

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Requests in flight at once, per origin. Against a CA 50 ms away, 50 concurrent orders are
# bound by round trips: 450 of them over N connections take 50/N times as long as one order's
# nine. 20 keeps that within 3x (benchmarks/issuance.py); a local CA sees no difference.
MAX_CONNECTIONS = 20
_READ_SIZE = 65536

Origin = tuple[str, str, int]


class _Timeouts(NamedTuple):
    connect: float | None
    read: float | None
    write: float | None
    pool: float | None

    @classmethod
    def of(cls, request: httpx.Request) -> _Timeouts:
        given: Mapping[str, float | None] = request.extensions.get("timeout", {})
        return cls(given.get("connect"), given.get("read"), given.get("write"), given.get("pool"))


class _StaleConnection(Exception):
    """A kept-alive connection the server had closed before our request reached it."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._h11 = h11.Connection(h11.CLIENT)
        self.reused = False

    @property
    def reusable(self) -> bool:
        return self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE

    async def exchange(
        self, request: httpx.Request, body: bytes, timeouts: _Timeouts
    ) -> httpx.Response:
        headers = [(name, value) for name, value in request.headers.raw]
        out = (
            self._h11.send(
                h11.Request(method=request.method, target=request.url.raw_path, headers=headers)
            )
            or b""
        )
        if body:
            out += self._h11.send(h11.Data(data=body)) or b""
        out += self._h11.send(h11.EndOfMessage()) or b""
        self._writer.write(out)
        try:
            async with asyncio.timeout(timeouts.write):
                await self._writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout("timed out sending the request", request=request) from None
        except OSError as exc:
            if self.reused:
                raise _StaleConnection from exc
            raise httpx.WriteError(str(exc), request=request) from exc
        return await self._read_response(request, timeouts)

    async def _read_response(self, request: httpx.Request, timeouts: _Timeouts) -> httpx.Response:
        head: h11.Response | None = None
        chunks: list[bytes] = []
        received = False
        while True:
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc), request=request) from exc
            if event is h11.NEED_DATA:
                try:
                    async with asyncio.timeout(timeouts.read):
                        data = await self._reader.read(_READ_SIZE)
                except TimeoutError:
                    raise httpx.ReadTimeout(
                        "timed out waiting for the response", request=request
                    ) from None
                except OSError as exc:
                    if self.reused and not received:
                        raise _StaleConnection from exc
                    raise httpx.ReadError(str(exc), request=request) from exc
                if not data and self.reused and not received:
                    raise _StaleConnection
                received = True
                self._h11.receive_data(data)
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.InformationalResponse):
                continue
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            else:
                raise httpx.RemoteProtocolError(
                    "server closed the connection mid-response", request=request
                )
        if head is None:
            raise httpx.RemoteProtocolError("no response", request=request)
        return httpx.Response(
            head.status_code,
            headers=list(head.headers),
            content=b"".join(chunks),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(head.reason)},
        )

    def next_cycle(self) -> None:
        self._h11.start_next_cycle()
        self.reused = True

    async def close(self) -> None:
        """Drops the connection without TLS's close_notify exchange: every response was read
        whole by its length, so nothing can be cut short, and the polite close cost a round
        trip per connection (a second at exit, 20 connections to a CA 50 ms away)."""
        self._writer.transport.abort()
        with contextlib.suppress(OSError):  # the peer may already be gone
            await self._writer.wait_closed()


class Http11Transport(httpx.AsyncBaseTransport):
    """Keep-alive connections per origin, at most `max_connections` open at once; requests
    beyond that wait for a free one (the `pool` timeout). A request that finds its kept-alive
    connection already closed by the server is sent once more on a new connection: the server
    never saw it, so nothing is done twice."""

    def __init__(
        self, ssl_context: ssl.SSLContext, *, max_connections: int = MAX_CONNECTIONS
    ) -> None:
        self._ssl = ssl_context
        self._max_connections = max_connections
        self._slots: asyncio.Semaphore | None = None
        self._idle: dict[Origin, list[_Connection]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        origin = (url.scheme, url.host, url.port or _DEFAULT_PORTS[url.scheme])
        body = await request.aread()
        timeouts = _Timeouts.of(request)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max_connections)
        try:
            async with asyncio.timeout(timeouts.pool):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection", request=request) from None
        try:
            return await self._exchange(origin, request, body, timeouts)
        finally:
            self._slots.release()

    async def _exchange(
        self, origin: Origin, request: httpx.Request, body: bytes, timeouts: _Timeouts
    ) -> httpx.Response:
        while True:
            idle = self._idle.get(origin)
            connection = idle.pop() if idle else await self._connect(origin, request, timeouts)
            try:
                response = await connection.exchange(request, body, timeouts)
            except _StaleConnection:
                await connection.close()
                continue
            except BaseException:
                await connection.close()
                raise
            if connection.reusable:
                connection.next_cycle()
                self._idle.setdefault(origin, []).append(connection)
            else:
                await connection.close()
            return response

    async def _connect(
        self, origin: Origin, request: httpx.Request, timeouts: _Timeouts
    ) -> _Connection:
        scheme, host, port = origin
        tls = self._ssl if scheme == "https" else None
        try:
            async with asyncio.timeout(timeouts.connect):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=tls, server_hostname=host if tls else None, limit=_READ_SIZE
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"no connection within {timeouts.connect} s", request=request
            ) from None
        except OSError as exc:  # ssl.SSLError included
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                await connection.close()
