"""Challenge helpers on their own: values, names, and the responders' start-up."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import sys
from pathlib import Path

import pytest

from tui.acme import jose, keys
from tui.acme.challenges import (
    HTTP01_HEAD_LIMIT,
    DnsHookSolver,
    Http01Responder,
    WebrootSolver,
    dns01_name,
    dns01_value,
    key_authorization,
)
from tui.acme.errors import InputError, ProtocolError
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


async def _get(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    try:
        return await reader.read()
    except ConnectionError:
        return b""
    finally:
        writer.close()


async def test_http01_responder_bounds_requests_and_answers_only_get() -> None:
    """A request head longer than HTTP01_HEAD_LIMIT is not answered (it was read up to 64 KiB
    before); a POST or a HEAD for a presented token gets no key authorization."""
    port = free_port()
    responder = Http01Responder("127.0.0.1", port)
    await responder.present(Identifier("dns", "a.test"), "tok", "tok.thumb")
    try:
        padding = b"X-Pad: " + b"a" * HTTP01_HEAD_LIMIT + b"\r\n"
        big = b"GET /.well-known/acme-challenge/tok HTTP/1.1\r\n" + padding + b"\r\n"
        assert b"tok.thumb" not in await _get(port, big)
        for method in (b"POST", b"HEAD"):
            answer = await _get(port, method + b" /.well-known/acme-challenge/tok HTTP/1.1\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 404")
        with pytest.raises(ProtocolError):
            await responder.present(Identifier("dns", "a.test"), "../x", "../x.thumb")
    finally:
        await responder.close()


def _recording_hook(tmp_path: Path) -> str:
    """A real hook script that writes its arguments, one per line, to argv.txt."""
    script = tmp_path / "hook.py"
    script.write_text(
        "import sys\nopen(sys.argv[0] + '.argv.txt', 'a').write('\\n'.join(sys.argv[1:]) + '\\n')\n"
    )
    return f"{sys.executable} {script} --zone example"


async def test_dns_hook_gets_ca_values_as_arguments_never_as_shell_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when handed an identifier with shell syntax in it (issuance refuses those first),
    the hook gets it as one argument, and no shell runs `touch PWNED`. The user's own command
    line keeps working, its own arguments included."""
    monkeypatch.chdir(tmp_path)
    solver = DnsHookSolver(_recording_hook(tmp_path))
    await solver.present(Identifier("dns", "a.test;touch PWNED;echo"), "tok", "tok.k")
    assert not (tmp_path / "PWNED").exists()
    lines = (tmp_path / "hook.py.argv.txt").read_text().splitlines()
    assert lines == [
        "--zone",
        "example",
        "set",
        "_acme-challenge.a.test;touch PWNED;echo",
        dns01_value("tok.k"),
    ]


async def test_dns_hook_failure_names_the_hook_and_its_last_line(tmp_path: Path) -> None:
    solver = DnsHookSolver("echo first; echo 'no such zone' >&2; exit 3;")
    with pytest.raises(InputError, match=r"dns hook `clear` .* exited 3: no such zone"):
        await solver.cleanup(Identifier("dns", "a.test"), "tok", "tok.k")


def _webroot(tmp_path: Path) -> tuple[Path, Path]:
    webroot, outside = tmp_path / "www", tmp_path / "outside"
    webroot.mkdir()
    outside.mkdir()
    return webroot, outside


async def test_webroot_writes_and_removes_the_challenge_file(tmp_path: Path) -> None:
    """Through a symlinked webroot too: that one the user chose."""
    real, _ = _webroot(tmp_path)
    (tmp_path / "link").symlink_to(real)
    solver = WebrootSolver(tmp_path / "link")
    await solver.present(Identifier("dns", "a.test"), "tok-1_", "tok-1_.k")
    served = real / ".well-known" / "acme-challenge" / "tok-1_"
    assert served.read_text() == "tok-1_.k"
    assert oct(served.stat().st_mode & 0o777) == oct(0o644)
    assert sorted(p.name for p in served.parent.iterdir()) == ["tok-1_"]
    await solver.cleanup(Identifier("dns", "a.test"), "tok-1_", "tok-1_.k")
    assert not served.exists()


@pytest.mark.parametrize("linked", [".well-known", ".well-known/acme-challenge"])
async def test_webroot_refuses_a_symlinked_challenge_folder(tmp_path: Path, linked: str) -> None:
    """Whoever can write the webroot could point the challenge folder at another folder (say
    /root/.ssh) and let a CA's token name the file: refused, nothing written there."""
    webroot, outside = _webroot(tmp_path)
    (webroot / linked).parent.mkdir(exist_ok=True)
    (webroot / linked).symlink_to(outside)
    solver = WebrootSolver(webroot)
    with pytest.raises(InputError, match="refusing to write challenge files through it"):
        await solver.present(Identifier("dns", "a.test"), "authorized_keys", "k")
    assert list(outside.iterdir()) == []
    (outside / "authorized_keys").write_text("keep")
    with pytest.raises(InputError, match="refusing"):
        await solver.cleanup(Identifier("dns", "a.test"), "authorized_keys", "k")
    assert (outside / "authorized_keys").read_text() == "keep"


@pytest.mark.parametrize("token", ["../../outside/target", "a/b", ".."])
async def test_webroot_refuses_a_token_that_is_a_path(tmp_path: Path, token: str) -> None:
    webroot, outside = _webroot(tmp_path)
    (outside / "target").write_text("keep")
    solver = WebrootSolver(webroot)
    with pytest.raises(ProtocolError, match="not base64url"):
        await solver.present(Identifier("dns", "a.test"), token, "k")
    with pytest.raises(ProtocolError, match="not base64url"):
        await solver.cleanup(Identifier("dns", "a.test"), token, "k")
    assert (outside / "target").read_text() == "keep"
