"""The HTTP/1.1 transport under AcmeClient, against small real servers on loopback that behave
in ways Pebble does not on demand: closing kept-alive connections, chunked bodies, silence, a
proxy. Pebble itself exercises the transport in every other test (TLS, keep-alive, HEAD,
POST)."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.conftest import CliRunner, reach
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.errors import NetworkError
from tui.acme.http11 import Http11Transport
from tui.pebble import Pebble

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return head


def transport() -> Http11Transport:
    return Http11Transport(ssl.create_default_context(), max_connections=2)


async def test_a_connection_the_server_closed_is_replaced_and_the_request_sent_once() -> None:
    """Keep-alive servers drop idle connections; the next request must not fail for it."""
    connections = 0
    requests = 0

    async def one_response_per_connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal connections, requests
        connections += 1
        await read_request(reader)
        requests += 1
        # Advertises keep-alive, then closes anyway, as an idle timeout would.
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    async with (
        serve(one_response_per_connection) as url,
        httpx.AsyncClient(transport=transport()) as client,
    ):
        first = await client.get(url)
        await asyncio.sleep(0.05)  # the close reaches us
        second = await client.post(url, content=b"{}")
    assert (first.text, second.text) == ("ok", "ok")
    assert (connections, requests) == (2, 2)


async def test_connections_are_kept_alive_and_bounded() -> None:
    peers: set[int] = set()

    async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.add(writer.get_extra_info("peername")[1])
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            await asyncio.sleep(0.01)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    async with serve(keep_alive) as url, httpx.AsyncClient(transport=transport()) as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(10)))
    assert [r.status_code for r in responses] == [200] * 10
    assert len(peers) == 2  # max_connections, each reused for the other requests


async def test_chunked_body_and_interim_response_are_read_whole() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n"
            b'5\r\n{"a":\r\n3\r\n 1}\r\n0\r\n\r\n'
        )
        await writer.drain()

    async with serve(chunked) as url, httpx.AsyncClient(transport=transport()) as client:
        response = await client.get(url)
    assert response.status_code == 201
    assert response.json() == {"a": 1}
    assert response.http_version == "HTTP/1.1"


async def test_a_silent_server_is_a_timeout_reported_as_a_network_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async with serve(silent) as url:
        options = ClientOptions(read_timeout=0.2)
        async with AcmeClient(f"{url}/directory", options=options) as client:
            with pytest.raises(NetworkError, match="timed out"):
                await client.directory()


async def test_a_garbled_response_is_a_network_error() -> None:
    async def garbled(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"SMTP ready\r\n\r\n")
        await writer.drain()

    async with serve(garbled) as url, AcmeClient(f"{url}/directory") as client:
        with pytest.raises(NetworkError, match="cannot reach"):
            await client.directory()


def answer(raw: bytes, *, close: bool = False, connections: list[int] | None = None) -> Handler:
    """A server that answers every request on a connection with `raw`; each new connection is
    counted into `connections`."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if connections is not None:
            connections.append(1)
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(raw)
            await writer.drain()
            if close:
                writer.close()
                return

    return handler


async def test_body_by_length_and_the_connection_kept() -> None:
    async with (
        serve(
            answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello")
        ) as url,
        httpx.AsyncClient(transport=transport()) as client,
    ):
        first = await client.get(url)
        second = await client.get(url)
    assert (first.text, second.text) == ("hello", "hello")
    assert first.headers.get_list("x-a") == ["1", "2"]
    assert first.reason_phrase == "OK"


async def test_body_until_the_server_closes() -> None:
    """No length, no chunking: the body ends with the connection, which is then not reused."""
    connections: list[int] = []
    async with (
        serve(
            answer(b"HTTP/1.0 200 OK\r\n\r\nall of it", close=True, connections=connections)
        ) as url,
        httpx.AsyncClient(transport=transport()) as client,
    ):
        assert (await client.get(url)).text == "all of it"
        assert (await client.get(url)).text == "all of it"
    assert len(connections) == 2


async def test_head_reads_no_body() -> None:
    """HEAD newNonce: Content-Length describes a body that is never sent."""
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\nReplay-Nonce: n1\r\n\r\n"
    connections: list[int] = []
    async with (
        serve(answer(raw, connections=connections)) as url,
        httpx.AsyncClient(transport=transport()) as client,
    ):
        first = await asyncio.wait_for(client.head(url), 2)
        second = await asyncio.wait_for(client.head(url), 2)
    assert first.headers["replay-nonce"] == second.headers["replay-nonce"] == "n1"
    assert len(connections) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n folded\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nBad Header : x\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    ],
    ids=["folded", "space-before-colon", "status", "length", "chunk-size", "truncated"],
)
async def test_malformed_responses_are_protocol_errors(raw: bytes) -> None:
    async with (
        serve(answer(raw, close=True)) as url,
        httpx.AsyncClient(transport=transport()) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(url)


async def test_a_header_value_with_a_line_break_is_never_sent() -> None:
    """A user agent from the config with CR LF in it must not smuggle header lines."""
    async with (
        serve(answer(b"HTTP/1.1 204 No Content\r\n\r\n")) as url,
        httpx.AsyncClient(transport=transport()) as client,
    ):
        with pytest.raises(httpx.LocalProtocolError):
            await client.get(url, headers={"User-Agent": "x\r\nEvil: 1"})


class _ConnectProxy(socketserver.ThreadingTCPServer):
    """An HTTP CONNECT proxy that records where it tunnels to."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.targets: list[str] = []


class _Tunnel(socketserver.BaseRequestHandler):
    server: _ConnectProxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        target = head.split(b" ")[1].decode()
        self.server.targets.append(target)
        host, port = target.rsplit(":", 1)
        with socket.create_connection((host, int(port))) as upstream:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            pair = [self.request, upstream]
            while True:
                readable, _, _ = select.select(pair, [], [], 5)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.request else self.request).sendall(data)


def test_a_proxy_in_the_environment_carries_the_requests(cli: CliRunner, pebble: Pebble) -> None:
    """With HTTPS_PROXY set, requests go through httpx's proxy transport, still verified
    against the named CA bundle."""
    with _ConnectProxy() as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
            env = {
                "HTTPS_PROXY": proxy_url,
                "https_proxy": proxy_url,
                "NO_PROXY": "",
                "no_proxy": "",
            }
            result = cli(*reach(pebble), "directory", "--json", env=env)
        finally:
            proxy.shutdown()
    assert result.returncode == 0, result.stderr
    assert "newNonce" in json.loads(result.stdout)
    assert proxy.targets == [f"127.0.0.1:{pebble.port}"]
