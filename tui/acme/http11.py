"""The HTTP transport under AcmeClient: HTTP/1.1 keep-alive connections over asyncio streams,
behind httpx's transport interface, with the little of RFC 9112 a client needs written out here.

Why not httpx's default transport (httpcore): measured on a 2-core machine against a local
Pebble (benchmarks/issuance.py), httpcore with h2 and anyio took about 2 ms of CPU per request
and about 80 ms of imports, more than the whole protocol exchange of an issuance. ACME sends
small JSON documents one at a time per order, so HTTP/2's multiplexing buys nothing that a few
kept-alive connections do not. Why not h11 for the framing: its event machinery took 31% of the
CPU time of 50 concurrent orders (387 ms against 268 ms with this code). Proxies from the
environment still go through httpx's own transport, which AsyncClient mounts for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from typing import NamedTuple

import httpx

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Requests in flight at once, per origin. More would hide more round trips from a CA far away
# (50 concurrent orders against one 50 ms away: 2.2x one order's time with 32 connections), but
# Debian's Pebble 2.4 deadlocks on its own locks under that load: 50 concurrent orders hung it
# in 3 of 8 runs of eight with 32 connections and with 20, in none of 8 with 10 (its goroutine
# dump: every handler waiting on the store's RWMutex behind AddCertificate). Against a local
# Pebble the number made no difference to speed.
MAX_CONNECTIONS = 10
_READ_SIZE = 65536

Origin = tuple[str, str, int]
Header = tuple[bytes, bytes]


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


def _encode_request(request: httpx.Request, body: bytes) -> bytes:
    """RFC 9112 §3: request line, header fields, body. httpx's Request already carries Host
    and Content-Length."""
    parts = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if any(c in name + value for c in b"\r\n\0") or not name or b":" in name:
            raise httpx.LocalProtocolError(f"invalid header {name!r}", request=request)
        parts += [name, b": ", value, b"\r\n"]
    parts += [b"\r\n", body]
    return b"".join(parts)


def _parse_head(head: bytes, request: httpx.Request) -> tuple[bytes, int, bytes, list[Header]]:
    """Status line and header fields (RFC 9112 §4, §5); obsolete line folding is refused."""
    status_line, *lines = head[:-4].split(b"\r\n")
    version, _, rest = status_line.partition(b" ")
    code, _, reason = rest.partition(b" ")
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise httpx.RemoteProtocolError(
            f"not an HTTP/1.1 response: {status_line[:80]!r}", request=request
        )
    headers = []
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or not name or name[-1:] in b" \t" or line[:1] in b" \t":
            raise httpx.RemoteProtocolError(f"bad header line {line[:80]!r}", request=request)
        headers.append((name, value.strip(b" \t")))
    return version, int(code), reason, headers


class _Fields:
    """Header lookup by lower-case name; the last value wins, as for a repeated field."""

    def __init__(self, headers: list[Header]) -> None:
        self._values = {name.lower(): value for name, value in headers}

    def last(self, name: str) -> bytes:
        return self._values.get(name.encode("ascii"), b"")


class _Connection:
    """One kept-alive HTTP/1.1 connection; requests on it go one after the other."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self.reused = False
        self.reusable = False

    async def exchange(
        self, request: httpx.Request, body: bytes, timeouts: _Timeouts
    ) -> httpx.Response:
        self.reusable = False
        self._writer.write(_encode_request(request, body))
        try:
            async with asyncio.timeout(timeouts.write):
                await self._writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout("timed out sending the request", request=request) from None
        except OSError as exc:
            if self.reused:
                raise _StaleConnection from exc
            raise httpx.WriteError(str(exc), request=request) from exc
        received = False
        try:
            async with asyncio.timeout(timeouts.read):
                head = await self._reader.readuntil(b"\r\n\r\n")
                received = True
                return await self._read_response(request, head)
        except TimeoutError:
            raise httpx.ReadTimeout("timed out waiting for the response", request=request) from None
        except asyncio.IncompleteReadError as exc:
            if self.reused and not received and not exc.partial:
                raise _StaleConnection from exc
            raise httpx.RemoteProtocolError(
                "server closed the connection mid-response", request=request
            ) from exc
        except asyncio.LimitOverrunError as exc:
            raise httpx.RemoteProtocolError("response head too long", request=request) from exc
        except OSError as exc:
            if self.reused and not received:
                raise _StaleConnection from exc
            raise httpx.ReadError(str(exc), request=request) from exc

    async def _read_response(self, request: httpx.Request, head: bytes) -> httpx.Response:
        version, status, reason, headers = _parse_head(head, request)
        while 100 <= status < 200:  # interim responses (100 Continue) precede the real one
            head = await self._reader.readuntil(b"\r\n\r\n")
            version, status, reason, headers = _parse_head(head, request)
        fields = _Fields(headers)
        if request.method == "HEAD" or status in (204, 304):
            body, framed = b"", True
        elif fields.last("transfer-encoding").lower().endswith(b"chunked"):
            body, framed = await self._read_chunked(request), True
        elif length := fields.last("content-length"):
            if not length.isdigit():
                raise httpx.RemoteProtocolError(f"bad Content-Length {length!r}", request=request)
            body, framed = await self._reader.readexactly(int(length)), True
        else:  # delimited by the end of the connection
            body, framed = await self._reader.read(), False
        self.reusable = (
            framed and version == b"HTTP/1.1" and b"close" not in fields.last("connection").lower()
        )
        return httpx.Response(
            status,
            headers=headers,
            content=body,
            request=request,
            extensions={"http_version": version, "reason_phrase": reason},
        )

    async def _read_chunked(self, request: httpx.Request) -> bytes:
        """RFC 9112 §7.1: hex size lines (extensions ignored), data, CRLF; trailers dropped."""
        parts: list[bytes] = []
        while True:
            line = await self._reader.readuntil(b"\r\n")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise httpx.RemoteProtocolError(
                    f"bad chunk size {line!r}", request=request
                ) from None
            if size == 0:
                while await self._reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            if await self._reader.readexactly(2) != b"\r\n":
                raise httpx.RemoteProtocolError("chunk not followed by CRLF", request=request)

    def next_cycle(self) -> None:
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
                # Happy Eyeballs (RFC 8305): where IPv6 is configured but broken, the next
                # address is tried after 250 ms instead of after the whole connect timeout.
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                    limit=_READ_SIZE,
                    happy_eyeballs_delay=0.25,
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
