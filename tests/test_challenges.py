"""Challenge helpers on their own: values, names, and the responders' start-up."""

from __future__ import annotations

import asyncio
import hashlib
import socket

import pytest

from tui.acme import jose, keys
from tui.acme.challenges import (
    Http01Responder,
    dns01_name,
    dns01_value,
    key_authorization,
)
from tui.acme.errors import InputError
from tui.acme.models import Identifier
from tui.pebble import free_port


def test_key_authorization_and_dns01_values() -> None:
    key = keys.generate_key("ec256")
    key_auth = key_authorization("tok", key)
    assert key_auth == f"tok.{jose.thumbprint(jose.public_jwk(key))}"
    assert dns01_value(key_auth) == jose.b64url(hashlib.sha256(key_auth.encode()).digest())
    assert dns01_name(Identifier("dns", "*.example.org")) == "_acme-challenge.example.org"
    assert dns01_name(Identifier("dns", "www.example.org")) == "_acme-challenge.www.example.org"


async def test_http01_responder_serves_tokens_only() -> None:
    port = free_port()
    responder = Http01Responder("127.0.0.1", port)
    await responder.present(Identifier("dns", "a.test"), "tok", "tok.thumb")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /.well-known/acme-challenge/tok HTTP/1.1\r\nHost: a.test\r\n\r\n")
        answer = await reader.read()
        writer.close()
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\ntok.thumb")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /.well-known/acme-challenge/other HTTP/1.1\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 404")
        writer.close()
    finally:
        await responder.close()


async def test_responder_waits_briefly_for_a_busy_port_then_says_so() -> None:
    """A port freed a moment later is taken; one that stays busy is a clear error."""
    port = free_port()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", port))
    blocker.listen()
    asyncio.get_running_loop().call_later(0.3, blocker.close)
    responder = Http01Responder("127.0.0.1", port)
    await responder.start()
    await responder.close()

    held = socket.socket()
    held.bind(("127.0.0.1", port))
    held.listen()
    try:
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port} for http-01"):
            await Http01Responder("127.0.0.1", port).start()
    finally:
        held.close()


async def test_concurrent_presents_bind_once() -> None:
    """Two authorizations presented at the same moment: one listener, both tokens served."""
    port = free_port()
    responder = Http01Responder("127.0.0.1", port)
    try:
        await asyncio.gather(
            responder.present(Identifier("dns", "a.test"), "one", "one.k"),
            responder.present(Identifier("dns", "b.test"), "two", "two.k"),
        )
        for token in ("one", "two"):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET /.well-known/acme-challenge/{token} HTTP/1.1\r\n\r\n".encode())
            assert (await reader.read()).endswith(f"{token}.k".encode())
            writer.close()
    finally:
        await responder.close()
