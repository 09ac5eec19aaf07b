"""tui/workflow.py through its library API, as both front ends call it: typed IssueOptions in,
IssueResult out, the renewal's ARI decision, revocation. Against the validating Pebble; ARI,
which Debian's Pebble 2.4 lacks, through tests/ari_front.py in front of it."""

from __future__ import annotations

import itertools
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography import x509

from tests.ari_front import AriFront, ari_front
from tests.conftest import ValidatingPebble
from tests.scripted_prompts import ScriptedPrompts
from tui import accounts, revocation, workflow
from tui.acme import keys
from tui.acme.certificates import ari_cert_id
from tui.acme.challenges import Http01Responder
from tui.acme.client import AcmeClient
from tui.acme.errors import InputError, ProblemError
from tui.acme.retries import TRANSIENT_RETRIES
from tui.acme.traffic import Exchange
from tui.config import Settings
from tui.endpoints import resolve
from tui.session import Session
from tui.workflow import IssueOptions, IssueResult

_unique = itertools.count()
# The pebble_client fixture: a session, its client with an account, and what it sent.
PebbleClient = tuple[Session, AcmeClient, list[Exchange]]


def fresh(label: str) -> str:
    """A name no earlier test used, so Pebble cannot reuse an old authorization."""
    return f"{label}-{next(_unique)}.workflow.test"


def _session(directory_url: str, ca_bundle: Path, tmp_path: Path) -> Session:
    key_path = tmp_path / "account.pem"
    key = keys.generate_key("ec256")
    keys.save_key(key, key_path)
    return Session(
        Settings(ca_bundle=str(ca_bundle), account_key=str(key_path)),
        resolve(directory_url),
        tmp_path / "config.toml",
        key_path=key_path,
        key=key,
    )


def _recorded(
    directory_url: str, ca_bundle: Path, tmp_path: Path
) -> tuple[Session, list[Exchange]]:
    """A session whose every exchange is also kept in the list."""
    session = _session(directory_url, ca_bundle, tmp_path)
    sent: list[Exchange] = []
    session.observers.append(sent.append)
    return session, sent


async def _client_with_account(session: Session) -> AcmeClient:
    client = session.client()
    await accounts.new_account(session, client, ScriptedPrompts(), ["mailto:wf@example.org"])
    return client


@pytest.fixture
async def pebble_client(
    validating: ValidatingPebble, tmp_path: Path
) -> AsyncIterator[PebbleClient]:
    session, sent = _recorded(
        validating.pebble.directory_url, validating.pebble.ca_bundle, tmp_path
    )
    async with await _client_with_account(session) as client:
        yield session, client, sent


@pytest.fixture
def front(validating: ValidatingPebble) -> Iterator[AriFront]:
    with ari_front(validating.pebble) as server:
        yield server


def _responder(validating: ValidatingPebble) -> Http01Responder:
    return Http01Responder("127.0.0.1", validating.http_port)


def _order_payloads(sent: list[Exchange]) -> list[dict[str, object]]:
    return [
        e.jws.payload
        for e in sent
        if e.jws is not None and e.url.endswith("/order-plz") and e.status == 201
    ]


async def test_issue_takes_options_and_gives_a_typed_result(
    pebble_client: PebbleClient,
    validating: ValidatingPebble,
    tmp_path: Path,
) -> None:
    _, client, _ = pebble_client
    names = [fresh("typed"), fresh("typed")]
    lines: list[str] = []
    result = await workflow.issue(
        client, _responder(validating), IssueOptions(names, tmp_path / "site"), lines.append
    )
    assert isinstance(result, IssueResult)
    assert result.names == names and result.folder == tmp_path / "site"
    assert result.replaces == "" and result.archived is None
    assert result.privkey is not None and stat.S_IMODE(result.privkey.stat().st_mode) == 0o600
    leaf = x509.load_pem_x509_certificate(result.cert.read_bytes())
    assert f"{leaf.serial_number:x}" == result.serial
    assert result.fullchain.read_text() == result.cert.read_text() + result.chain.read_text()
    assert "finalizing" in lines
    record = result.to_json()
    assert record["folder"] == str(tmp_path / "site") and record["replaces"] is None


async def test_issue_each_gives_a_result_or_an_error_per_order(
    pebble_client: PebbleClient,
    validating: ValidatingPebble,
    tmp_path: Path,
) -> None:
    _, client, _ = pebble_client
    good = fresh("each")
    orders = [IssueOptions([good], tmp_path / "a"), IssueOptions(["*.wild.test"], tmp_path / "b")]
    outcomes = await workflow.issue_each(client, _responder(validating), orders)
    assert isinstance(outcomes[0], IssueResult) and outcomes[0].names == [good]
    assert isinstance(outcomes[1], Exception), "http-01 cannot validate a wildcard"


async def test_issue_without_an_account_says_so_before_any_order(
    validating: ValidatingPebble, tmp_path: Path
) -> None:
    session, sent = _recorded(
        validating.pebble.directory_url, validating.pebble.ca_bundle, tmp_path
    )
    async with session.client() as client:
        with pytest.raises(InputError, match="no account at this CA"):
            await workflow.issue(
                client, _responder(validating), IssueOptions([fresh("none")], tmp_path / "x")
            )
    assert not any("order" in e.url for e in sent)


async def _issue_and_renew(
    client: AcmeClient, validating: ValidatingPebble, tmp_path: Path, label: str
) -> tuple[IssueResult, x509.Certificate, IssueResult, list[str]]:
    """A certificate issued into tmp_path/site and renewed there at once, with the renewal's
    progress lines: where every ARI test starts."""
    site = tmp_path / "site"
    first = await workflow.issue(client, _responder(validating), IssueOptions([fresh(label)], site))
    certificate = x509.load_pem_x509_certificate(first.cert.read_bytes())
    lines: list[str] = []
    names = workflow.renewal_names(certificate)
    renewed = await workflow.renew(
        client, _responder(validating), certificate, IssueOptions(names, site), lines.append
    )
    return first, certificate, renewed, lines


@pytest.mark.parametrize("mode", ["none", "fail", "garbage"])
async def test_a_renewal_goes_on_without_ari_and_says_so(
    validating: ValidatingPebble, front: AriFront, tmp_path: Path, mode: str
) -> None:
    """RFC 9773 is advice: a CA without renewalInfo (Pebble itself), a lookup answered with a
    500 problem, or with a body that is not JSON, never stops a renewal. It renews without
    `replaces`, and the progress lines say so."""
    front.mode = mode
    url = validating.pebble.directory_url if mode == "none" else front.directory_url
    session, sent = _recorded(url, validating.pebble.ca_bundle, tmp_path)
    async with await _client_with_account(session) as client:
        first, _, renewed, lines = await _issue_and_renew(client, validating, tmp_path, "ari")
    assert renewed.replaces == "" and renewed.serial != first.serial
    assert renewed.archived is not None
    said = [line for line in lines if "renewing without `replaces`" in line]
    assert len(said) == 1, lines
    assert ("offers no ARI" in said[0]) == (mode == "none")
    # A GET answered 500 is asked again TRANSIENT_RETRIES times (retries.py's retry ladder).
    expected = {"none": 0, "garbage": 1, "fail": 1 + TRANSIENT_RETRIES}[mode]
    assert len(front.lookups) == expected
    assert all("replaces" not in payload for payload in _order_payloads(sent))


async def test_a_renewal_in_the_ari_window_names_the_certificate_it_replaces(
    validating: ValidatingPebble, front: AriFront, tmp_path: Path
) -> None:
    session, sent = _recorded(front.directory_url, validating.pebble.ca_bundle, tmp_path)
    async with await _client_with_account(session) as client:
        _, certificate, renewed, lines = await _issue_and_renew(
            client, validating, tmp_path, "window"
        )
    assert renewed.replaces == ari_cert_id(certificate) == front.lookups[0]
    assert "ARI suggests renewing between 2026-12-01T00:00:00Z and 2026-12-03T00:00:00Z" in lines
    assert _order_payloads(sent)[-1]["replaces"] == ari_cert_id(certificate)


async def test_revoke_by_the_account_and_by_the_certificate_key(
    pebble_client: PebbleClient,
    validating: ValidatingPebble,
    tmp_path: Path,
) -> None:
    session, client, _ = pebble_client
    results = [
        await workflow.issue(
            client, _responder(validating), IssueOptions([fresh("revoke")], tmp_path / name)
        )
        for name in ("a", "b")
    ]
    by_account = workflow.load_certificate_file(results[0].cert)
    await revocation.revoke(client, by_account, reason=4)
    with pytest.raises(ProblemError, match="alreadyRevoked"):
        await revocation.revoke(client, by_account)
    assert results[1].privkey is not None
    by_key = workflow.load_certificate_file(results[1].cert)
    async with session.client(signed=False) as anonymous:
        await revocation.revoke(anonymous, by_key, 1, keys.load_key(results[1].privkey))


def test_a_certificate_file_that_cannot_be_read_is_one_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read certificate"):
        workflow.load_certificate_file(tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(InputError, match=r"is not a certificate: it is neither PEM .* nor DER$"):
        workflow.load_certificate_file(tmp_path / "junk.pem")
    (tmp_path / "key.pem").write_bytes(
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(InputError, match=r"key\.pem is not a certificate: its PEM holds no"):
        workflow.load_certificate_file(tmp_path / "key.pem")
