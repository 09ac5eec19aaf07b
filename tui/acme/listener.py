"""The listening socket of a challenge responder (http01 in challenges.py, tls_alpn.py): at most
MAX_CONNECTIONS at once, each within CONNECTION_DEADLINE, all ended and awaited on close. A CA
is on the other end of it, or anybody else on the network: it is bounded like a server.
"""

from __future__ import annotations

import asyncio
import errno
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from tui.acme.errors import InputError

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
BIND_RETRY_SECONDS = 3.0
# Connections a responder serves at once, and how long one may take, TLS handshake included. A
# CA opens a few and is done in well under a second; more are closed at once, so a flood of
# them cannot exhaust our file descriptors (1,500 made asyncio log 17,179 lines of errors).
MAX_CONNECTIONS = 64
CONNECTION_DEADLINE = 10.0

_NOT_A_REQUEST = (
    TimeoutError,
    ConnectionError,
    ssl.SSLError,
    asyncio.IncompleteReadError,
    asyncio.LimitOverrunError,
)


class _StreamProtocol(asyncio.StreamReaderProtocol):
    """asyncio's stream protocol, which learns that it runs over TLS only once start_tls has
    returned. A CA that closes right after the handshake (every tls-alpn-01 validation) can
    send its EOF before that, and the protocol's answer "keep the transport open" then makes
    asyncio log "returning true from eof_received() has no effect when using ssl" between our
    progress lines. Over TLS the answer is always "close": nothing is written after EOF."""

    def __init__(self, *args: Any, tls: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tls = tls

    def eof_received(self) -> bool:
        keep_open = super().eof_received()
        return bool(keep_open) and not self._tls


class Listener:
    """One responder's listening socket and the connections it accepted: at most
    MAX_CONNECTIONS at once, each within CONNECTION_DEADLINE, all ended and awaited by close().

    asyncio.start_server would run each connection in a task of its own that nothing ends: one
    still open when the issuance ended was cancelled at the loop's shutdown, and Python 3.11's
    streams then print "Exception in callback ... CancelledError". Here the accept callback is
    a plain function that starts a task this class owns. TLS is started in that task too, not
    by the server, so a handshake counts against the deadline and the bound."""

    def __init__(self, serve: Handler, what: str) -> None:
        self._serve = serve
        self._what = what
        self._server: asyncio.Server | None = None
        self._tls: ssl.SSLContext | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def listen(
        self, host: str, port: int, *, tls: ssl.SSLContext | None = None, limit: int = 2**16
    ) -> None:
        """Starts listening, retrying for a moment when the port is still busy: right after an
        earlier responder on the same port stopped (a renewal straight after an issuance) the
        kernel can refuse the bind for a short while."""
        self._tls = tls
        loop = asyncio.get_running_loop()

        def protocol() -> _StreamProtocol:  # as asyncio.start_server's, with eof_received's fix
            reader = asyncio.StreamReader(limit=limit, loop=loop)
            return _StreamProtocol(reader, self._accept, loop=loop, tls=tls is not None)

        deadline = loop.time() + BIND_RETRY_SECONDS
        while True:
            try:
                self._server = await loop.create_server(protocol, host, port)
                return
            except OSError as exc:
                busy = exc.errno == errno.EADDRINUSE
                if not busy or loop.time() > deadline:
                    raise InputError(
                        f"cannot listen on {host}:{port} for {self._what} ({exc.strerror})"
                    ) from None
                await asyncio.sleep(0.1)

    @property
    def listening(self) -> bool:
        return self._server is not None

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._connections) >= MAX_CONNECTIONS:
            writer.transport.abort()
            return
        task = asyncio.get_running_loop().create_task(self._connection(reader, writer))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(CONNECTION_DEADLINE):
                if self._tls is not None:
                    await writer.start_tls(self._tls)
                await self._serve(reader, writer)
        except _NOT_A_REQUEST:
            pass  # not a request we can answer; the CA retries or reports it
        finally:
            writer.transport.abort()

    async def close(self) -> None:
        """Stops listening, ends every open connection and waits until their tasks are done."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in self._connections:
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
