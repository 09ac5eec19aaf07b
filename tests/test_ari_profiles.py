"""ARI (RFC 9773) and profiles against an in-process fake CA (httpx.MockTransport): Debian's
Pebble 2.4 has neither renewalInfo nor profiles."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography import x509

from tests.certs_for_tests import make_certificate
from tui.acme import keys
from tui.acme.certificates import ari_cert_id
from tui.acme.client import AcmeClient
from tui.acme.encoding import decode_part
from tui.acme.errors import InputError
from tui.acme.models import Identifier

DIRECTORY = {
    "newNonce": "https://ca.test/nonce",
    "newAccount": "https://ca.test/acct",
    "newOrder": "https://ca.test/new-order",
    "revokeCert": "https://ca.test/revoke",
    "keyChange": "https://ca.test/key-change",
    "renewalInfo": "https://ca.test/renewal-info/",
    "meta": {"profiles": {"classic": "90 days", "shortlived": "6 days"}},
}


def _certificate(key_identifier: bytes, serial: int) -> x509.Certificate:
    aki = x509.AuthorityKeyIdentifier(key_identifier, None, None)
    return make_certificate("ari.example", aki, days=90, serial=serial)


def test_ari_cert_id_matches_rfc9773_example() -> None:
    """RFC 9773 §4.1's example: keyIdentifier 69:88:5B:..:D4 and serial 0x0087654321."""
    aki = bytes.fromhex("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")
    assert ari_cert_id(_certificate(aki, 0x87654321)) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"


class FakeCa:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        nonce = {"Replay-Nonce": f"n{len(self.requests)}"}
        path = request.url.path
        if path == "/dir":
            return httpx.Response(200, json=DIRECTORY)
        if path == "/nonce":
            return httpx.Response(200, headers=nonce)
        if path.startswith("/renewal-info/"):
            window = {"start": "2026-12-01T00:00:00Z", "end": "2026-12-03T00:00:00Z"}
            return httpx.Response(
                200,
                headers={"Retry-After": "21600"},
                json={"suggestedWindow": window, "explanationURL": "https://ca.test/why"},
            )
        if path == "/new-order":
            payload = json.loads(request.content)["payload"]
            return httpx.Response(
                201,
                headers={**nonce, "Location": "https://ca.test/order/1"},
                json={
                    "status": "pending",
                    "identifiers": [{"type": "dns", "value": "ari.example"}],
                    "authorizations": ["https://ca.test/authz/1"],
                    "finalize": "https://ca.test/order/1/finalize",
                    "echo": payload,
                },
            )
        return httpx.Response(404)


async def test_renewal_info_window_and_replaces_and_profile() -> None:
    ca = FakeCa()
    certificate = _certificate(b"\x01" * 20, 0x1234)
    async with AcmeClient(
        "https://ca.test/dir",
        key=keys.generate_key("ec256"),
        account_url="https://ca.test/acct/1",
        transport=httpx.MockTransport(ca),
    ) as client:
        window = await client.renewal_info(certificate)
        assert window is not None
        assert (window.start, window.end) == ("2026-12-01T00:00:00Z", "2026-12-03T00:00:00Z")
        assert window.explanation_url == "https://ca.test/why" and window.retry_after == 21600
        ari_request = next(r for r in ca.requests if r.url.path.startswith("/renewal-info/"))
        assert ari_request.method == "GET"
        assert ari_request.url.path.endswith(ari_cert_id(certificate))

        with pytest.raises(InputError, match="profile 'tlsserver' is not offered"):
            await client.new_order([Identifier("dns", "ari.example")], profile="tlsserver")
        order = await client.new_order(
            [Identifier("dns", "ari.example")],
            profile="shortlived",
            replaces=ari_cert_id(certificate),
        )
    sent = json.loads(next(r for r in ca.requests if r.url.path == "/new-order").content)
    payload = decode_part(sent["payload"])
    assert payload["profile"] == "shortlived"
    assert payload["replaces"] == ari_cert_id(certificate)
    assert order.url == "https://ca.test/order/1" and order.status == "pending"


async def test_no_renewal_info_without_the_directory_entry() -> None:
    """A CA without renewalInfo (like Pebble 2.4): None, and no request for it."""
    directory = {k: v for k, v in DIRECTORY.items() if k != "renewalInfo"}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json=directory)

    async with AcmeClient("https://ca.test/dir", transport=httpx.MockTransport(handler)) as client:
        assert await client.renewal_info(_certificate(b"\x02" * 20, 7)) is None
    assert seen == ["/dir"]
