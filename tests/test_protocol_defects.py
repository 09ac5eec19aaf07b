"""Issue 10's protocol defects 1, 2, 4, 5, 6 and 7, each shown by a test that failed before its
fix. Real Pebble where Pebble can show the defect (tls-alpn-01 for an IP address, an order
made invalid, `cert info`); where it cannot, because Pebble is a well-behaved CA, the fakes on
127.0.0.1: tests/hostile_acme.py (authorizations in a state Pebble never hands out) and
tests/scripted_ca.py (refusals and bent answers to revocation and account requests)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography import x509

from tests.certs_for_tests import make_certificate
from tests.conftest import CliRunner, ValidatingPebble, reach
from tests.hostile_acme import HostileAcme
from tests.scripted_ca import Answer, ScriptedCa, scripted_ca
from tui.acme import keys
from tui.acme.certificates import Chain, names_of
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.errors import StateError
from tui.acme.issuance import Issued, issue
from tui.acme.models import Identifier, Order
from tui.acme.orders import identifier_for
from tui.acme.tls_alpn import TlsAlpn01Responder, alpn_certificate, server_name
from tui.pebble import Pebble

PROBLEM = "application/problem+json"

# -- 1. tls-alpn-01 for an IP address (RFC 8738 §6) ------------------------------------------


def test_the_sni_of_an_ip_address_is_its_reverse_dns_name() -> None:
    assert server_name(Identifier("ip", "127.0.0.1")) == "1.0.0.127.in-addr.arpa"
    assert server_name(Identifier("ip", "::1")).endswith(".ip6.arpa")
    assert server_name(Identifier("dns", "A.Example.test")) == "a.example.test"
    certificate = x509.load_pem_x509_certificate(alpn_certificate("127.0.0.1", "k.a")[0])
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert san.get_values_for_type(x509.DNSName) == []


async def test_tls_alpn01_issues_for_an_ip_address(validating: ValidatingPebble) -> None:
    """Real Pebble validates 127.0.0.1 over tls-alpn-01 against acmedash's responder: it
    sends `1.0.0.127.in-addr.arpa` as SNI and checks for an iPAddress SAN."""
    async with AcmeClient(
        validating.pebble.directory_url,
        key=keys.generate_key("ec256"),
        options=ClientOptions(ca_bundle=validating.pebble.ca_bundle, poll_deadline=60),
    ) as client:
        await client.new_account([], terms_agreed=True)
        names = ["127.0.0.1"]
        csr = keys.make_csr(keys.generate_key("ec256"), names)
        responder = TlsAlpn01Responder("127.0.0.1", validating.tls_port)
        try:
            issued = await issue(client, names, responder, csr)
        finally:
            await responder.close()
    assert names_of(issued.chains[0].certificates[0]) == names


# -- 2. --preferred-chain matches the topmost issuer -----------------------------------------


def test_preferred_chain_matches_the_top_issuer_in_the_lets_encrypt_2021_layout() -> None:
    """Let's Encrypt in 2021: the default chain went leaf -> R3 -> ISRG Root X1 (cross-signed
    by DST Root CA X3), the alternate leaf -> R3, ending at ISRG Root X1. Both name ISRG Root
    X1 as an issuer; only the alternate has it on top. Certificates are made here: the
    layout is Let's Encrypt's, and no server is needed to choose between chains."""
    leaf = make_certificate("a.test", issuer="R3")
    r3 = make_certificate("R3", issuer="ISRG Root X1")
    cross = make_certificate("ISRG Root X1", issuer="DST Root CA X3")
    long = Chain("https://ca.test/cert/1", (leaf, r3, cross))
    short = Chain("https://ca.test/cert/1/1", (leaf, r3))
    order = Order("https://ca.test/order/1", "valid", (), (), "")
    issued = Issued(order, [long, short])
    assert issued.chain("ISRG Root X1") is short
    assert issued.chain("isrg root x1") is short
    assert issued.chain("DST Root CA X3") is long
    assert issued.chain("R3") is long, "R3 tops no chain: the CA's default"


# -- 4. states checked before acting ---------------------------------------------------------


@pytest.mark.parametrize("status", ["expired", "revoked", "invalid", "deactivated"])
async def test_no_challenge_is_answered_on_an_authorization_that_cannot_become_valid(
    hostile: HostileAcme, hostile_client: AcmeClient, status: str
) -> None:
    """The fake CA: Pebble never puts an expired or revoked authorization into a new order."""
    hostile.hostility.authz_status = status
    csr = keys.make_csr(keys.generate_key("ec256"), ["a.test"])
    with pytest.raises(StateError, match=f"authorization .* is '{status}'; no challenge answered"):
        await issue(hostile_client, ["a.test"], TlsAlpn01Responder("127.0.0.1", 0), csr)
    assert not any(path.startswith("/chall/") for path in hostile.posted)
    assert not any(path.startswith("/finalize/") for path in hostile.posted)


async def test_an_invalid_order_from_the_ca_is_not_finalized(
    hostile: HostileAcme, hostile_client: AcmeClient
) -> None:
    """The fake CA answers newOrder with an `invalid` order (Pebble never does)."""
    hostile.hostility.order_status = "invalid"
    csr = keys.make_csr(keys.generate_key("ec256"), ["a.test"])
    with pytest.raises(StateError, match="is 'invalid'; not finalized"):
        await issue(hostile_client, ["a.test"], TlsAlpn01Responder("127.0.0.1", 0), csr)
    assert not any(path.startswith("/finalize/") for path in hostile.posted)


@pytest.fixture
async def pebble_client(pebble: Pebble) -> AsyncIterator[AcmeClient]:
    async with AcmeClient(
        pebble.directory_url,
        key=keys.generate_key("ec256"),
        options=ClientOptions(ca_bundle=pebble.ca_bundle),
    ) as acme:
        await acme.new_account([], terms_agreed=True)
        yield acme


async def test_finalize_sends_nothing_for_an_order_pebble_made_invalid(
    pebble_client: AcmeClient,
) -> None:
    """Real Pebble: an order whose authorization was deactivated can never be finalized (Pebble
    calls the order `deactivated`, a state RFC 8555 does not have; §7.1.6 would say `invalid`);
    finalize says so itself instead of sending the CSR to be refused."""
    order = await pebble_client.new_order([identifier_for("gone.example.test")])
    await pebble_client.deactivate_authorization(order.authorizations[0])
    order = await pebble_client.fetch_order(order.url)
    assert order.status == "deactivated"
    sent: list[str] = []
    pebble_client.observers.append(lambda exchange: sent.append(exchange.url))
    csr = keys.make_csr(keys.generate_key("ec256"), ["gone.example.test"])
    with pytest.raises(StateError, match="is 'deactivated'; not finalized"):
        await pebble_client.finalize(order, csr)
    assert sent == []


async def test_finalize_sends_nothing_for_a_valid_order(pebble_client: AcmeClient) -> None:
    valid = Order("https://x.test/order/1", "valid", (), (), "https://x.test/finalize/1")
    sent: list[str] = []
    pebble_client.observers.append(lambda exchange: sent.append(exchange.url))
    assert await pebble_client.finalize(valid, b"") is valid
    assert sent == []


# -- 5. cert info asks no CA it was not told to ----------------------------------------------


def _certificate_file(folder: Path, name: str = "a.test") -> tuple[Path, Path]:
    cert_pem, key_pem = alpn_certificate(name, "none")
    cert, key = folder / "cert.pem", folder / "certkey.pem"
    cert.write_bytes(cert_pem)
    key.write_bytes(key_pem)
    key.chmod(0o600)
    return cert, key


def test_cert_info_without_a_ca_does_not_ask_the_default_one(cli: CliRunner) -> None:
    """No --endpoint and no endpoint in the config: the built-in default (Let's Encrypt
    staging) did not issue this certificate; nothing is sent, and ARI is said not asked."""
    cert, _ = _certificate_file(cli.workdir)
    result = cli("--traffic", "t.jsonl", "cert", "info", str(cert))
    assert result.returncode == 0, result.stderr
    assert "ari        not asked (no CA named" in result.stdout
    assert (cli.workdir / "t.jsonl").read_text() == ""
    record = json.loads(cli("cert", "info", str(cert), "--json").stdout)
    assert "not_asked" in record["ari"]


def test_cert_info_asks_the_ca_named(cli: CliRunner, pebble: Pebble) -> None:
    cert, _ = _certificate_file(cli.workdir)
    result = cli(*reach(pebble), "--traffic", "t.jsonl", "cert", "info", str(cert))
    assert result.returncode == 0, result.stderr
    assert "ari        not offered by this CA" in result.stdout
    assert pebble.directory_url in (cli.workdir / "t.jsonl").read_text()


# -- 6. revocation reasons CAs accept, and a refusal named -----------------------------------


@pytest.fixture
def ca() -> Iterator[ScriptedCa]:
    with scripted_ca() as server:
        server.routes["/acct"] = Answer(200, {"status": "valid"}, {"Location": f"{server.base}/a"})
        yield server


@pytest.mark.parametrize("reason", ["certificateHold", "6", "removeFromCRL", "8", "cACompromise"])
def test_reasons_cas_refuse_are_not_offered(cli: CliRunner, ca: ScriptedCa, reason: str) -> None:
    cert, _ = _certificate_file(cli.workdir)
    assert cli("key", "generate", "k.pem").returncode == 0
    args = ["--endpoint", ca.directory_url, "--key", "k.pem"]
    result = cli(*args, "cert", "revoke", str(cert), "--reason", reason)
    assert result.returncode == 2, result.stderr
    assert "is not one CAs accept" in result.stderr and "superseded (4)" in result.stderr
    assert ca.requests == []


def test_a_refused_reason_is_named(cli: CliRunner, ca: ScriptedCa) -> None:
    ca.routes["/revoke"] = Answer(
        400,
        {"type": "urn:ietf:params:acme:error:badRevocationReason", "detail": "not allowed"},
        content_type=PROBLEM,
    )
    cert, _ = _certificate_file(cli.workdir)
    assert cli("key", "generate", "k.pem").returncode == 0
    args = ["--endpoint", ca.directory_url, "--key", "k.pem"]
    result = cli(*args, "cert", "revoke", str(cert), "--reason", "superseded")
    assert result.returncode == 1, result.stderr
    assert "the CA refuses the revocation reason superseded (4): not allowed" in result.stderr
    assert "unspecified (0)" in result.stderr and "Traceback" not in result.stderr


# -- 7. servers that bend the RFC ------------------------------------------------------------


def test_an_account_without_an_orders_url_is_not_no_orders(cli: CliRunner, ca: ScriptedCa) -> None:
    ca.routes["/a"] = Answer(200, {"status": "valid", "contact": []})
    assert cli("key", "generate", "k.pem").returncode == 0
    result = cli("--endpoint", ca.directory_url, "--key", "k.pem", "account", "orders")
    assert result.returncode == 1, result.stderr
    assert "the CA gave no orders list" in result.stderr
    assert "no orders" not in result.stdout


def test_an_empty_new_account_answer_is_followed_by_fetching_the_account(
    cli: CliRunner, ca: ScriptedCa
) -> None:
    """§7.3.1: the existing account's object; this CA sends an empty body with its URL."""
    ca.routes["/acct"] = Answer(200, b"", {"Location": f"{ca.base}/a"})
    ca.routes["/a"] = Answer(200, {"status": "valid", "contact": ["mailto:me@example.test"]})
    assert cli("key", "generate", "k.pem").returncode == 0
    args = ["--endpoint", ca.directory_url, "--key", "k.pem", "--yes"]
    result = cli(*args, "account", "new", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "valid"
    assert record["contact"] == ["mailto:me@example.test"]
    assert record["url"] == f"{ca.base}/a"


def test_revocation_by_the_certificate_key_gets_no_create_an_account_hint(
    cli: CliRunner, ca: ScriptedCa
) -> None:
    ca.routes["/revoke"] = Answer(
        400,
        {"type": "urn:ietf:params:acme:error:accountDoesNotExist", "detail": "no account"},
        content_type=PROBLEM,
    )
    cert, cert_key = _certificate_file(cli.workdir)
    result = cli(
        "--endpoint", ca.directory_url, "cert", "revoke", str(cert), "--cert-key", str(cert_key)
    )
    assert result.returncode == 1, result.stderr
    assert "account new" not in result.stderr and "creates one" not in result.stderr
    assert "does not accept a revocation signed by the certificate's own key" in result.stderr
    assert "leave out --cert-key" in result.stderr
