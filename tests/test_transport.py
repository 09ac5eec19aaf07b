"""The HTTP stack under AcmeClient (tui/acme/wire.py, core.py) against tests/hostile_http.py, a
server of our own on 127.0.0.1 that does what Pebble cannot be made to do: reset, trickle,
send too much, frame a response twice, answer what nobody asked. Every test goes through the
real AcmeClient and httpx's own transport; Pebble covers the well-behaved path elsewhere."""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.hostile_http import (
    HostileServer,
    MiB,
    Peer,
    Request,
    answering,
    bomb_answer,
    close,
    directory,
    endless_chunked,
    huge_body,
    nonce,
    ok_json,
    reset,
    reset_mid_body,
    response,
    send_directory,
    serve,
    trickle,
)
from tui.acme import keys
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.errors import (
    InputError,
    NetworkError,
    NetworkTimeout,
    ProblemError,
    ProtocolError,
)
from tui.acme.models import Identifier, Order
from tui.acme.retries import TRANSIENT_RETRIES
from tui.acme.traffic import Exchange
from tui.acme.wire import default_language, describe_network_error
from tui.pebble import _write_tls_files


def client_for(server: HostileServer, log: list[Exchange], **options: object) -> AcmeClient:
    """A client with an account, so signed requests need no account lookup first."""
    return AcmeClient(
        server.url(),
        key=keys.generate_key("ec256"),
        account_url=server.url("/acct/1"),
        options=ClientOptions(**options),  # type: ignore[arg-type]
        observers=[log.append],
    )


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    """A CA bundle for the client and a server context for 127.0.0.1."""
    ca, cert, key = _write_tls_files(tmp_path_factory.mktemp("hostile-tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return ca, context


async def test_a_reset_before_the_response_is_a_network_error_at_once() -> None:
    """RST (SO_LINGER 0, then close) right after the request, on every connection: a
    NetworkError after the bounded retries of a GET, in well under a second."""
    log: list[Exchange] = []
    async with serve(answering(reset)) as server, client_for(server, log) as client:
        started = time.monotonic()
        with pytest.raises(NetworkError, match="cannot reach"):
            await client.directory()
        assert time.monotonic() - started < 1.0
    assert len(log) == server.connections == 1 + TRANSIENT_RETRIES
    assert all(e.status is None and e.error for e in log)


async def test_a_reset_in_the_middle_of_the_body_is_a_network_error() -> None:
    log: list[Exchange] = []
    async with serve(answering(reset_mid_body())) as server, client_for(server, log) as client:
        started = time.monotonic()
        with pytest.raises(NetworkError):
            await client.directory()
        assert time.monotonic() - started < 1.0


async def test_a_reset_ends_the_command_with_exit_code_3(tmp_path: Path) -> None:
    """The real `acmedash` command: one line on stderr, no traceback, exit code 3."""
    async with serve(answering(reset)) as server:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tui",
            "--endpoint",
            server.url(),
            "directory",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={"ACMEDASH_CONFIG": str(tmp_path / "config.toml"), "PATH": "/usr/bin:/bin"},
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 3, stderr
    assert stderr.decode().startswith("acmedash: network error: cannot reach")
    assert b"Traceback" not in stderr


def test_a_circular_chain_of_causes_is_walked_once() -> None:
    """`__cause__` / `__context__` that loop back: the walk ends (it looped forever before)."""
    outer = httpx.ConnectError("connection failed")
    inner = OSError("reset")
    outer.__cause__ = inner
    inner.__context__ = outer
    result: list[NetworkError] = []
    worker = threading.Thread(
        target=lambda: result.append(describe_network_error(outer, "https://ca.test/dir")),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "the walk over the causes does not end"
    assert str(result[0]) == "cannot reach https://ca.test/dir: connection failed"


async def test_a_trickled_body_is_bounded_by_the_total_deadline() -> None:
    """A byte every 0.1 s keeps every read within its timeout; the deadline of the whole
    attempt ends it, and a timeout is not tried again."""
    log: list[Exchange] = []
    async with (
        serve(answering(trickle(0.1))) as server,
        client_for(server, log, request_deadline=1.0) as client,
    ):
        started = time.monotonic()
        with pytest.raises(NetworkTimeout, match=r"no complete answer .* within 1 s"):
            await client.directory()
        assert time.monotonic() - started < 5.0
    assert len(log) == 1 and "within 1 s" in log[0].error


async def test_a_silent_server_is_a_timeout() -> None:
    async def silent(peer: Peer, request: Request) -> None:
        await asyncio.sleep(10)

    async with (
        serve(answering(silent)) as server,
        client_for(server, [], read_timeout=0.2) as client,
    ):
        with pytest.raises(NetworkTimeout, match="timed out"):
            await client.directory()


async def test_a_cancelled_attempt_is_in_the_log() -> None:
    """A request the caller gives up on (a failed sibling authorization, Ctrl-C) went out all
    the same: it is recorded, as cancelled."""
    log: list[Exchange] = []

    async def silent(peer: Peer, request: Request) -> None:
        await asyncio.sleep(10)

    async with serve(answering(silent)) as server, client_for(server, log) as client:
        task = asyncio.create_task(client.directory())
        for _ in range(500):  # until the request is out, 5 s at most
            if server.requests:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [(e.method, e.status, e.error) for e in log] == [("GET", None, "cancelled")]


async def test_a_json_body_over_1_mib_is_refused_and_its_connection_closed() -> None:
    """Chunked, so no length announces it: the cap stops the reading, the connection is
    closed (the next request needs a new one)."""
    log: list[Exchange] = []
    big = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    big += b"".join(b"10000\r\n" + b" " * 65536 + b"\r\n" for _ in range(17)) + b"0\r\n\r\n"
    async with (
        serve(answering(big), answering(big)) as server,
        client_for(server, log) as client,
    ):
        for _ in range(2):
            with pytest.raises(ProtocolError, match=r"response from .*/dir larger than 1 MiB"):
                await client.directory()
    assert server.connections == 2
    assert "larger than 1 MiB" in log[0].error and log[0].status == 200


@pytest.mark.parametrize(
    "answer",
    [huge_body(length=True), huge_body(length=False), endless_chunked()],
    ids=["1 GiB by length", "1 GiB until close", "endless chunked"],
)
async def test_an_enormous_body_is_refused(answer: object) -> None:
    async with serve(answering(answer)) as server, client_for(server, []) as client:  # type: ignore[arg-type]
        with pytest.raises(ProtocolError, match="larger than 1 MiB"):
            await client.directory()


async def test_a_certificate_chain_may_take_4_mib() -> None:
    """`Accept: application/pem-certificate-chain` allows 4 MiB: 3 MiB are read (and found no
    PEM), 5 MiB refused."""

    def pem_of(size: int) -> bytes:
        return response(
            b"x" * size,
            headers=("Content-Type: application/pem-certificate-chain", "Replay-Nonce: n"),
        )

    server = serve(answering(send_directory, nonce(), pem_of(3 * MiB), pem_of(5 * MiB)))
    async with server, client_for(server, []) as client:
        with pytest.raises(ProtocolError, match="did not return a PEM certificate chain"):
            await client.download_certificate(server.url("/cert/1"))
        with pytest.raises(ProtocolError, match="larger than 4 MiB"):
            await client.download_certificate(server.url("/cert/1"))


async def test_a_compressed_body_is_refused_unread() -> None:
    """We ask for `identity`; a gzip bomb (1 GiB of zeros) is refused on its headers."""
    log: list[Exchange] = []
    async with serve(answering(bomb_answer())) as server, client_for(server, log) as client:
        with pytest.raises(ProtocolError, match="gzip-encoded although we asked for none"):
            await client.directory()
    assert dict(log[0].request_headers)["accept-encoding"] == "identity"


async def test_an_endless_response_head_is_refused() -> None:
    """Header fields without end: h11 (with httpcore's 100 KiB limit) refuses the head."""

    async def endless_head(peer: Peer, request: Request) -> None:
        if await peer.send(b"HTTP/1.1 200 OK\r\nX-Filler: "):
            for _ in range(1000):  # 64 MiB at most
                if not await peer.send(b"a" * 65536):
                    return

    async with serve(answering(endless_head)) as server, client_for(server, []) as client:
        with pytest.raises(NetworkError, match="broken HTTP response"):
            await client.directory()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}}",
            "conflicting Content-Length",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\n{}}", "conflicting Content-Length"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}\r\n0\r\n\r\n",
            "both Content-Length and Transfer-Encoding",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n folded\r\n\r\nhello", "broken HTTP"),
        (b"HTTP/1.1 200 OK\r\nBad Header : x\r\nContent-Length: 0\r\n\r\n", "broken HTTP"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "broken HTTP"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n", "broken HTTP"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "broken HTTP"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "broken HTTP"),
        (b"SMTP ready\r\n\r\n", "broken HTTP"),
    ],
    ids=[
        "two lengths",
        "a list of lengths",
        "length and chunked",
        "folded",
        "space before colon",
        "status",
        "length not a number",
        "chunk size",
        "truncated",
        "not HTTP",
    ],
)
async def test_a_badly_framed_response_is_an_error(raw: bytes, message: str) -> None:
    async def then_close(peer: Peer, request: Request) -> None:
        await peer.send(raw)
        await peer.close()

    async with serve(answering(then_close)) as server, client_for(server, []) as client:
        with pytest.raises((NetworkError, ProtocolError), match=message):
            await client.directory()


def _forged() -> bytes:
    """The answer nobody asked for: were it taken for the next response, the test would see
    this nonce."""
    return response(headers=("Replay-Nonce: forged",))


async def _bytes_after_the_body(tls: ssl.SSLContext | None, ca_bundle: Path | None) -> None:
    """The directory and a forged response in one TCP write; over TLS, as two TLS records
    written without waiting between them."""

    async def directory_then_more(peer: Peer, request: Request) -> None:
        both = (directory(peer.server), _forged())
        for part in both if tls else (b"".join(both),):
            peer.writer.write(part)
        await peer.writer.drain()

    server = serve(answering(directory_then_more), answering(nonce()), tls=tls)
    async with (
        server,
        AcmeClient(server.url(), options=ClientOptions(ca_bundle=ca_bundle)) as client,
    ):
        await client.directory()
        await asyncio.sleep(0.05)
        assert await client.new_nonce() != "forged"
    assert server.connections == 2, "the connection with unread bytes is not reused"


async def test_bytes_after_the_body_in_the_same_write_never_answer_the_next_request() -> None:
    await _bytes_after_the_body(None, None)


async def test_over_tls_bytes_after_the_body_never_answer_the_next_request(
    tls_files: tuple[Path, ssl.SSLContext],
) -> None:
    """Over TLS the forged response waits in a TLS record not yet decrypted, which neither
    h11's buffer nor the socket shows."""
    ca_bundle, context = tls_files
    await _bytes_after_the_body(context, ca_bundle)


async def test_an_unsolicited_response_on_an_idle_connection_ends_it() -> None:
    async def directory_then_later(peer: Peer, request: Request) -> None:
        await peer.send(directory(server))
        await asyncio.sleep(0.05)
        await peer.send(_forged())

    server = serve(answering(directory_then_later), answering(nonce()))
    async with server, AcmeClient(server.url()) as client:
        await client.directory()
        await asyncio.sleep(0.2)
        assert await client.new_nonce() != "forged"
    assert server.connections == 2


@pytest.mark.parametrize("use_tls", [False, True], ids=["http", "https"])
async def test_connections_are_kept_alive_and_reused(
    use_tls: bool, tls_files: tuple[Path, ssl.SSLContext]
) -> None:
    """Ten requests one after the other go over one connection. Fails loudly if httpcore's
    internals move: wire.py's guard then counts every connection as holding unread bytes."""
    ca_bundle, context = tls_files
    server = serve(answering(send_directory, *[nonce()] * 10), tls=context if use_tls else None)
    async with (
        server,
        AcmeClient(server.url(), options=ClientOptions(ca_bundle=ca_bundle)) as client,
    ):
        for _ in range(10):
            await client.new_nonce()
    assert server.connections == 1


async def test_a_connection_the_server_closed_is_replaced() -> None:
    """Keep-alive servers drop idle connections; the next request must not fail for it, and
    goes out once."""

    async def directory_then_close(peer: Peer, request: Request) -> None:
        await peer.send(directory(peer.server))
        await peer.close()

    server = serve(answering(directory_then_close), answering(nonce()))
    async with server, AcmeClient(server.url()) as client:
        await client.directory()
        await asyncio.sleep(0.05)
        await client.new_nonce()
    assert [r.method for r in server.requests] == ["GET", "HEAD"]
    assert server.connections == 2


async def test_head_reads_no_body_and_chunked_bodies_and_interim_responses_are_read() -> None:
    """HEAD newNonce whose Content-Length describes a body never sent; a 100 Continue before
    a chunked directory."""

    async def chunked_directory(peer: Peer, request: Request) -> None:
        body = json.loads(directory(peer.server).split(b"\r\n\r\n", 1)[1])
        data = json.dumps(body).encode()
        await peer.send(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n"
            + f"{len(data[:5]):x}\r\n".encode()
            + data[:5]
            + f"\r\n{len(data[5:]):x}\r\n".encode()
            + data[5:]
            + b"\r\n0\r\n\r\n"
        )

    head = response(headers=("Replay-Nonce: n1", "Content-Length: 500"), length=False)
    server = serve(answering(chunked_directory, head, head))
    async with server, AcmeClient(server.url()) as client:
        await client.directory()
        assert await asyncio.wait_for(client.new_nonce(), 5) == "n1"
        assert await asyncio.wait_for(client.new_nonce(), 5) == "n1"
    assert server.connections == 1


async def test_a_post_the_server_read_and_dropped_is_not_sent_again() -> None:
    """The server reads newOrder and closes without a word: that JWS might have created an
    order, so it is reported, not repeated; the attempt is in the log."""
    log: list[Exchange] = []
    server = serve(answering(send_directory, nonce(), close), answering(nonce()))
    async with server, client_for(server, log) as client:
        with pytest.raises(NetworkError, match="broken HTTP response"):
            await client.new_order([Identifier("dns", "a.example")])
    posts = [e for e in log if e.method == "POST"]
    assert len(posts) == 1 and posts[0].status is None and posts[0].error
    assert [r.method for r in server.requests].count("POST") == 1


async def test_a_post_as_get_the_server_dropped_is_signed_anew_and_sent_again() -> None:
    """A POST-as-GET is repeated after a network error (RFC 8555 §6.3: GET semantics), each
    time with a nonce and signature of its own, each attempt in the log."""
    log: list[Exchange] = []
    order = ok_json({"status": "valid", "identifiers": [], "authorizations": []})
    server = serve(
        answering(send_directory, nonce(), close),
        answering(nonce(), close),
        answering(nonce(), order),
    )
    async with server, client_for(server, log) as client:
        await client.fetch_order(server.url("/order/1"))
    posts = [e for e in log if e.method == "POST"]
    assert [p.status for p in posts] == [None, None, 200]
    assert len({p.request_body for p in posts}) == 3
    assert len({p.nonce_sent for p in posts}) == 3


async def test_a_finalize_whose_answer_was_lost_ends_with_the_order() -> None:
    """finalize reaches the server, which drops the connection; the repeated finalize gets
    orderNotReady (RFC 8555 §7.4), so the order is read (`processing`) and polled (`valid`)
    instead of the issuance failing."""
    log: list[Exchange] = []
    not_ready = response(
        json.dumps({"type": "urn:ietf:params:acme:error:orderNotReady", "status": 403}).encode(),
        "403 Forbidden",
        ("Content-Type: application/problem+json", "Replay-Nonce: n1"),
    )
    server = serve(
        answering(send_directory, nonce(), close),
        answering(
            nonce(),
            not_ready,
            ok_json({"status": "processing"}),
            ok_json({"status": "valid", "certificate": "https://ca.test/cert/1"}),
        ),
    )
    async with server, client_for(server, log) as client:
        order = Order.from_json(server.url("/order/1"), {"finalize": server.url("/finalize/1")})
        finalized = await client.finalize(order, b"csr")
    assert finalized.status == "valid" and finalized.certificate == "https://ca.test/cert/1"
    assert [(e.url.rsplit("/", 2)[-2], e.status) for e in log if e.method == "POST"] == [
        ("finalize", None),
        ("finalize", 403),
        ("order", 200),
        ("order", 200),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "is not JSON"),
        (b"<html>not json</html>", "is not JSON"),
        (b"[1, 2]", "is not a JSON object"),
        (b"\xff\xfe", "is not JSON"),
    ],
    ids=["nested", "html", "array", "not utf-8"],
)
async def test_a_body_that_is_no_json_object_is_a_one_line_protocol_error(
    body: bytes, message: str
) -> None:
    answer = response(body, headers=("Content-Type: application/json", "Replay-Nonce: n"))
    server = serve(answering(send_directory, nonce(), answer))
    async with server, client_for(server, []) as client:
        with pytest.raises(ProtocolError, match=message) as info:
            await client.fetch_order(server.url("/order/1"))
    assert "\n" not in str(info.value)


async def test_a_deeply_nested_problem_document_is_still_a_problem() -> None:
    problem = response(
        b"[" * 100_000,
        "400 Bad Request",
        ("Content-Type: application/problem+json", "Replay-Nonce: n"),
    )
    server = serve(answering(send_directory, nonce(), problem))
    async with server, client_for(server, []) as client:
        with pytest.raises(ProblemError, match="unparseable problem document"):
            await client.new_order([Identifier("dns", "a.example")])


async def test_requests_ask_for_no_coding_and_for_the_locale_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    server = serve(answering(send_directory))
    async with server, AcmeClient(server.url()) as client:
        await client.directory()
        async with AcmeClient(server.url(), options=ClientOptions(language="fr")) as chosen:
            assert chosen._http.headers["Accept-Language"] == "fr"
    head = server.requests[0].head.lower()
    assert b"\r\naccept-encoding: identity\r\n" in head
    assert b"\r\naccept-language: de-de, en;q=0.5\r\n" in head


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de-DE, en;q=0.5"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en-US, en;q=0.5"),
        ({"LANG": "sr_RS@latin"}, "sr-RS, en;q=0.5"),
        ({"LANG": "fr_FR", "LC_MESSAGES": "pt_BR.UTF-8"}, "pt-BR, en;q=0.5"),
        ({"LANG": "fr_FR", "LC_MESSAGES": "pt_BR", "LC_ALL": "nl"}, "nl, en;q=0.5"),
        ({"LANG": "x\r\nEvil: 1"}, "en"),
    ],
)
def test_the_default_language_comes_from_the_locale(environ: dict[str, str], expected: str) -> None:
    assert default_language(environ) == expected


def test_a_header_value_with_a_line_break_is_never_sent() -> None:
    """A user agent from the config with CR LF in it must not smuggle header lines."""
    with pytest.raises(InputError, match="printable ASCII on one line"):
        AcmeClient("https://ca.test/dir", options=ClientOptions(user_agent="x\r\nEvil: 1"))
