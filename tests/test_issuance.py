"""Issuance against a Pebble that really validates (no PEBBLE_VA_ALWAYS_VALID): Pebble fetches
http-01 from acmedash's responder, reads dns-01 TXT records from pebble-challtestsrv (set by a
hook), and handshakes tls-alpn-01 with acmedash's TLS responder."""

from __future__ import annotations

import asyncio
import itertools
import socket
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import ValidatingPebble
from tui import workflow
from tui.acme import jose, keys
from tui.acme.certificates import names_of
from tui.acme.challenges import DnsHookSolver, Http01Responder, Solver
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.errors import InputError, ProblemError
from tui.acme.issuance import Issued, issue
from tui.acme.models import Challenge, Identifier
from tui.acme.tls_alpn import TlsAlpn01Responder
from tui.workflow import IssueOptions

_unique = itertools.count()


def fresh(label: str) -> str:
    """A name no earlier test used, so Pebble cannot reuse an old authorization."""
    return f"{label}-{next(_unique)}.example.test"


@pytest.fixture
async def client(validating: ValidatingPebble) -> AsyncIterator[AcmeClient]:
    async with AcmeClient(
        validating.pebble.directory_url,
        key=keys.generate_key("ec256"),
        options=ClientOptions(ca_bundle=validating.pebble.ca_bundle, poll_deadline=60),
    ) as acme:
        await acme.new_account(["mailto:issue@example.org"], terms_agreed=True)
        yield acme


def _csr(names: list[str]) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    key = keys.generate_key("ec256")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, keys.make_csr(key, names)


async def _issue(
    client: AcmeClient, names: list[str], solver: Solver, csr: bytes, **kwargs: Any
) -> Issued:
    """issue() leaves the solver to its caller (several orders may share one); close it."""
    try:
        return await issue(client, names, solver, csr, **kwargs)
    finally:
        await solver.close()


def _port_is_free(port: int) -> bool:
    """Nothing listens there any more. SO_REUSEADDR as servers use it, so connections that
    Pebble left in TIME_WAIT do not count."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


async def test_http01_two_names_with_alternate_chains(
    client: AcmeClient, validating: ValidatingPebble
) -> None:
    names = [fresh("web"), fresh("www")]
    cert_key, csr = _csr(names)
    steps: list[str] = []
    issued = await _issue(
        client,
        names,
        Http01Responder("127.0.0.1", validating.http_port),
        csr,
        progress=steps.append,
    )
    leaf = issued.chains[0].certificates[0]
    assert sorted(names_of(leaf)) == sorted(names)
    assert jose.public_jwk(leaf.public_key()) == jose.public_jwk(cert_key)  # type: ignore[arg-type]
    assert len(issued.chains) == 3, "the default chain and PEBBLE_ALTERNATE_ROOTS=2 alternates"
    tops = [chain.top_issuer for chain in issued.chains]
    assert len(set(tops)) == 3
    assert issued.chain(tops[2]).top_issuer == tops[2]
    assert issued.chain("no such issuer") is issued.chains[0]
    assert any("valid" in s for s in steps)


async def test_dns01_wildcard_and_several_names(
    client: AcmeClient, validating: ValidatingPebble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHALLTESTSRV_MANAGEMENT", str(validating.dns.management_port))
    base = fresh("zone")
    names = [f"*.{base}", base, fresh("other")]
    hook = f"{sys.executable} {Path(__file__).parent / 'dns_hook.py'}"
    _, csr = _csr(names)
    issued = await _issue(client, names, DnsHookSolver(hook), csr)
    assert sorted(names_of(issued.chains[0].certificates[0])) == sorted(names)


async def test_tls_alpn01(client: AcmeClient, validating: ValidatingPebble) -> None:
    names = [fresh("alpn")]
    _, csr = _csr(names)
    issued = await _issue(client, names, TlsAlpn01Responder("127.0.0.1", validating.tls_port), csr)
    assert names_of(issued.chains[0].certificates[0]) == names


async def test_failed_validation_is_reported_and_cleaned_up(
    client: AcmeClient, validating: ValidatingPebble, tmp_path: Path
) -> None:
    """dns-01 whose hook publishes nothing: Pebble finds no TXT record."""
    names = [fresh("nodns")]
    _, csr = _csr(names)
    with pytest.raises(ProblemError) as info:
        await _issue(client, names, DnsHookSolver("true"), csr)
    assert info.value.type.startswith("urn:ietf:params:acme:error:")
    assert names[0] in str(info.value) or "TXT" in str(info.value)


async def test_revoke_with_account_key_and_with_certificate_key(
    client: AcmeClient, validating: ValidatingPebble
) -> None:
    responder = Http01Responder("127.0.0.1", validating.http_port)
    first_names, second_names = [fresh("rev-a")], [fresh("rev-b")]
    _, csr = _csr(first_names)
    first = (await _issue(client, first_names, responder, csr)).chains[0].certificates[0]
    second_key, csr = _csr(second_names)
    second = (
        (
            await _issue(
                client, second_names, Http01Responder("127.0.0.1", validating.http_port), csr
            )
        )
        .chains[0]
        .certificates[0]
    )
    await client.revoke(first, reason=4)
    with pytest.raises(ProblemError, match="alreadyRevoked"):
        await client.revoke(first, reason=4)
    await client.revoke(second, reason=1, certificate_key=second_key)
    with pytest.raises(ProblemError, match="alreadyRevoked"):
        await client.revoke(second, certificate_key=second_key)


async def test_orders_are_listed(client: AcmeClient, validating: ValidatingPebble) -> None:
    names = [fresh("list")]
    _, csr = _csr(names)
    issued = await _issue(client, names, Http01Responder("127.0.0.1", validating.http_port), csr)
    account = await client.fetch_account()
    assert issued.order.url in (await client.list_orders(account)).urls


async def test_key_rollover_then_old_key_is_refused(validating: ValidatingPebble) -> None:
    options = ClientOptions(ca_bundle=validating.pebble.ca_bundle)
    old_key, new_key = keys.generate_key("ec256"), keys.generate_key("rsa2048")
    url = validating.pebble.directory_url
    async with AcmeClient(url, key=old_key, options=options) as acme:
        account = await acme.new_account([], terms_agreed=True)
        await acme.change_key(new_key)
        assert (await acme.fetch_account()).url == account.url
    async with AcmeClient(url, key=old_key, options=options) as acme:
        with pytest.raises(ProblemError, match="accountDoesNotExist"):
            await acme.find_account()
    async with AcmeClient(url, key=new_key, options=options) as acme:
        assert (await acme.find_account()).url == account.url


async def test_deactivated_account_is_refused(validating: ValidatingPebble) -> None:
    options = ClientOptions(ca_bundle=validating.pebble.ca_bundle)
    async with AcmeClient(
        validating.pebble.directory_url, key=keys.generate_key("ec256"), options=options
    ) as acme:
        await acme.new_account([], terms_agreed=True)
        deactivated = await acme.deactivate_account()
        assert deactivated.status == "deactivated"
        with pytest.raises(ProblemError, match="unauthorized"):
            await acme.fetch_account()


class RecordingResponder(Http01Responder):
    """acmedash's responder, noting when it was asked to present and to clean up."""

    def __init__(self, port: int) -> None:
        super().__init__("127.0.0.1", port)
        self.presented = asyncio.Event()
        self.cleaned: list[str] = []

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        await super().present(identifier, token, key_auth)
        self.presented.set()

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self.cleaned.append(token)
        await super().cleanup(identifier, token, key_auth)


async def test_workflow_stops_the_responder_on_success_and_on_cancellation(
    client: AcmeClient, validating: ValidatingPebble, tmp_path: Path
) -> None:
    """workflow.issue owns the solver: after a success, and after a cancellation that comes
    once the challenge is presented, the token is withdrawn and nothing listens any more."""
    done = await workflow.issue(
        client,
        Http01Responder("127.0.0.1", validating.http_port),
        IssueOptions([fresh("owned")], tmp_path / "a"),
    )
    assert done.fullchain.exists()
    assert _port_is_free(validating.http_port)
    names = [fresh("cancel")]
    _, csr = _csr(names)
    responder = RecordingResponder(validating.http_port)

    async def slow_respond(challenge: Challenge) -> Challenge:
        await asyncio.sleep(30)  # hold the issuance here, after present()
        raise AssertionError("not reached")

    client.respond = slow_respond  # type: ignore[method-assign]
    options = IssueOptions(names, tmp_path / "b", csr=csr)
    task = asyncio.create_task(workflow.issue(client, responder, options))
    await asyncio.wait_for(responder.presented.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(responder.cleaned) == 1
    assert _port_is_free(validating.http_port)


async def test_deactivate_an_authorization(client: AcmeClient) -> None:
    """RFC 8555 §7.5.2: a pending authorization can be given up."""
    from tui.acme.orders import identifier_for

    order = await client.new_order([identifier_for(fresh("giveup"))])
    authorization = await client.fetch_authorization(order.authorizations[0])
    assert authorization.status == "pending"
    assert authorization.challenge("http-01") is not None
    deactivated = await client.deactivate_authorization(authorization.url)
    assert deactivated.status == "deactivated"
    assert (await client.fetch_authorization(authorization.url)).status == "deactivated"


async def test_a_save_that_fails_after_issuance_keeps_the_certificate(
    client: AcmeClient,
    validating: ValidatingPebble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The folder was fine when checked and is gone (a file in its place) when the
    certificate arrives: it is saved under $XDG_DATA_HOME/acmedash/rescued/, key 0600, and
    the error says where."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    out = tmp_path / "site"

    def break_the_folder(line: str) -> None:
        if line == "finalizing":
            out.rmdir()
            out.write_text("in the way")

    with pytest.raises(InputError) as info:
        await workflow.issue(
            client,
            Http01Responder("127.0.0.1", validating.http_port),
            IssueOptions([fresh("rescue")], out),
            break_the_folder,
        )
    message = str(info.value)
    assert "cannot save the certificate" in message
    rescued_root = tmp_path / "data" / "acmedash" / "rescued"
    (rescued,) = rescued_root.iterdir()
    assert f"the certificate was issued and is kept in {rescued}" in message
    assert stat.S_IMODE(rescued_root.stat().st_mode) == 0o700
    assert stat.S_IMODE((rescued / "privkey.pem").stat().st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate((rescued / "cert.pem").read_bytes())
    key = serialization.load_pem_private_key((rescued / "privkey.pem").read_bytes(), None)
    assert certificate.public_key() == key.public_key()
    assert out.read_text() == "in the way"
