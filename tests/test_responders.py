"""The http-01 and tls-alpn-01 responders under connections nobody asked for: a CA (or anyone
who reaches the port) that keeps one open until issuance ends made asyncio print "Exception in
callback ... CancelledError" on stderr, and 1,500 of them made 17,179 lines of tracebacks. A
responder serves a bounded number at once, each within a deadline, and close() ends them all.

Against our own clients on 127.0.0.1 and tests/hostile_acme.py (a fake CA on 127.0.0.1):
Pebble's validation connects, asks and leaves; it cannot be told to hold a connection open.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable

import pytest

from tests.conftest import CliRunner
from tests.hostile_acme import HostileAcme
from tui.acme import keys, listener
from tui.acme.challenges import Http01Responder
from tui.acme.models import Identifier
from tui.acme.tls_alpn import ACME_TLS_ALPN, TlsAlpn01Responder
from tui.pebble import free_port

Responder = Http01Responder | TlsAlpn01Responder
Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def _alpn_client() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols([ACME_TLS_ALPN])
    return context


async def _http(port: int) -> Streams:
    return await asyncio.open_connection("127.0.0.1", port)


async def _alpn(port: int) -> Streams:
    """Connected and handshaken, as a validating CA is, then silent."""
    return await asyncio.open_connection(
        "127.0.0.1", port, ssl=_alpn_client(), server_hostname="a.test"
    )


async def _started(kind: str) -> tuple[Responder, Callable[[int], Awaitable[Streams]]]:
    port = free_port()
    if kind == "http":
        http = Http01Responder("127.0.0.1", port)
        await http.present(Identifier("dns", "a.test"), "tok", "tok.thumb")
        return http, _http
    alpn = TlsAlpn01Responder("127.0.0.1", port)
    await alpn.present(Identifier("dns", "a.test"), "tok", "tok.thumb")
    return alpn, _alpn


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """True when the responder ended the connection within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            return await reader.read() == b""
    except TimeoutError:
        return False
    except (ConnectionError, ssl.SSLError):
        return True


@pytest.mark.parametrize("kind", ["http", "alpn"])
async def test_close_ends_idle_connections_and_their_tasks(kind: str) -> None:
    responder, connect = await _started(kind)
    reader, writer = await connect(responder.port)
    await asyncio.sleep(0.05)
    before = asyncio.all_tasks()
    await responder.close()
    assert await _closed_within(reader, 2)
    writer.close()
    assert asyncio.all_tasks() < before  # the connection's handler task is gone


@pytest.mark.parametrize("kind", ["http", "alpn"])
async def test_a_connection_gets_a_deadline(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A silent connection is closed after CONNECTION_DEADLINE; for tls-alpn-01 a plain TCP
    connection that never starts the handshake too."""
    monkeypatch.setattr(listener, "CONNECTION_DEADLINE", 0.2)
    responder, connect = await _started(kind)
    try:
        reader, writer = await connect(responder.port)
        assert await _closed_within(reader, 2)
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", responder.port)
        assert await _closed_within(reader, 2)
        writer.close()
    finally:
        await responder.close()


async def test_connections_past_the_bound_are_closed_at_once() -> None:
    responder, connect = await _started("http")
    held = [await connect(responder.port) for _ in range(listener.MAX_CONNECTIONS)]
    try:
        extra, extra_writer = await connect(responder.port)
        assert await _closed_within(extra, 1)
        extra_writer.close()
        assert not await _closed_within(held[0][0], 0.1)
    finally:
        for _, writer in held:
            writer.close()
    for _ in range(50):  # the held ones end; the responder serves again
        reader, writer = await connect(responder.port)
        writer.write(b"GET /.well-known/acme-challenge/tok HTTP/1.1\r\n\r\n")
        answer = await reader.read()
        writer.close()
        if answer:
            break
        await asyncio.sleep(0.02)
    await responder.close()
    assert answer.endswith(b"tok.thumb")


@pytest.mark.parametrize("kind", ["http", "alpn"])
def test_cli_prints_no_traceback_for_a_connection_left_open(cli: CliRunner, kind: str) -> None:
    """The reviewer's attack_responder_idle.py: the CA opens a connection to the responder
    while validating and keeps it open until acmedash has exited."""
    port = free_port()
    held: list[socket.socket] = []

    def hold(challenge_type: str) -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        if kind == "alpn":
            sock = _alpn_client().wrap_socket(sock, server_hostname="a.test")
        held.append(sock)

    challenge = (
        ["--challenge", "tls-alpn-01", "--tls-port", str(port)]
        if kind == "alpn"
        else ["--http-port", str(port)]
    )
    with HostileAcme() as hostile:
        hostile.hostility.on_challenge = hold
        keys.save_key(keys.generate_key("ec256"), cli.workdir / "account.pem")
        common = ("--endpoint", hostile.directory_url, "--key", "account.pem")
        assert cli(*common, "account", "new", "--yes").returncode == 0
        run = cli(*common, "cert", "issue", "-d", "a.test", "--listen", "127.0.0.1", *challenge)
    for sock in held:
        sock.close()
    assert len(held) == 1
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "CancelledError" not in run.stderr
