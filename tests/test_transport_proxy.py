"""Proxies from the environment (HTTPS_PROXY, NO_PROXY): httpx's own transport honours them
(trust_env), and the one send path goes through them like every request, against a real Pebble
behind a small CONNECT proxy of our own on 127.0.0.1 (Pebble has none)."""

from __future__ import annotations

import json
import select
import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import CliRunner, reach
from tui.acme.client import AcmeClient, ClientOptions
from tui.pebble import Pebble


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


@pytest.fixture
def proxy_url() -> Iterator[tuple[str, _ConnectProxy]]:
    with _ConnectProxy() as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{proxy.server_address[1]}", proxy
        finally:
            proxy.shutdown()


def test_a_proxy_in_the_environment_carries_the_requests(
    cli: CliRunner, pebble: Pebble, proxy_url: tuple[str, _ConnectProxy]
) -> None:
    """With HTTPS_PROXY set, the command's requests go through the proxy, still verified
    against the named CA bundle."""
    url, proxy = proxy_url
    env = {"HTTPS_PROXY": url, "https_proxy": url, "NO_PROXY": "", "no_proxy": ""}
    result = cli(*reach(pebble), "directory", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert "newNonce" in json.loads(result.stdout)
    assert proxy.targets == [f"127.0.0.1:{pebble.port}"]


async def test_the_tunnel_through_the_proxy_is_kept_alive(
    pebble: Pebble, proxy_url: tuple[str, _ConnectProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One CONNECT for many requests: the proxy's connections are pooled, and checked for
    unread bytes, as direct ones are (wire.py reaches into the proxy pool too)."""
    url, proxy = proxy_url
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    options = ClientOptions(ca_bundle=pebble.ca_bundle)
    async with AcmeClient(pebble.directory_url, options=options) as client:
        for _ in range(5):
            await client.new_nonce()
    assert proxy.targets == [f"127.0.0.1:{pebble.port}"]
