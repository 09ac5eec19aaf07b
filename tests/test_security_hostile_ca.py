"""A hostile CA (tests/hostile_acme.py, a fake on 127.0.0.1: Pebble cannot be told to lie) must
never run our commands, write our files, or get a wrong certificate saved."""

from __future__ import annotations

import base64
import codecs
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID

from tests.certs_for_tests import make_certificate
from tests.conftest import CliRunner, issue_by_dns_hook
from tests.hostile_acme import HostileAcme
from tui import workflow
from tui.acme import keys
from tui.acme.certificates import MAX_ALTERNATES
from tui.acme.challenges import DnsHookSolver, WebrootSolver
from tui.acme.client import AcmeClient
from tui.acme.errors import InputError, ProblemError, ProtocolError
from tui.acme.issuance import issue
from tui.acme.models import Identifier
from tui.workflow import IssueOptions

INJECTION = "a.test;touch PWNED;echo"


@pytest.fixture
def client(hostile_client: AcmeClient) -> AcmeClient:
    """conftest's client with an account at the `hostile` fake CA."""
    return hostile_client


class RecordingSolver:
    """A solver that only notes what it was asked to do; `broken_cleanup` names an identifier
    whose cleanup fails."""

    challenge_type = "dns-01"

    def __init__(self, broken_cleanup: str = "") -> None:
        self.presented: list[Identifier] = []
        self.cleaned: list[Identifier] = []
        self.broken_cleanup = broken_cleanup

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self.presented.append(identifier)

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self.cleaned.append(identifier)
        if identifier.value == self.broken_cleanup:
            raise InputError(f"cleanup of {identifier.value} broke")

    async def close(self) -> None:
        return None


def _csr(names: list[str]) -> bytes:
    return keys.make_csr(keys.generate_key("ec256"), names)


# -- 1. identifiers nobody asked for -------------------------------------------------------------


@pytest.mark.parametrize(
    "forged",
    [
        {"type": "dns", "value": INJECTION},
        {"type": "dns", "value": "other.test"},
        {"type": "ip", "value": "a.test"},
        {"type": "dns", "value": "a.test", "wildcard": True},  # *.a.test was not asked for
    ],
)
async def test_an_authorization_for_another_name_reaches_no_solver(
    hostile: HostileAcme, client: AcmeClient, forged: dict[str, str]
) -> None:
    hostile.hostility.authz_identifier = forged
    solver = RecordingSolver()
    with pytest.raises(ProtocolError, match="which this order did not ask for"):
        await issue(client, ["a.test"], solver, _csr(["a.test"]))
    assert solver.presented == []


async def test_identifiers_are_compared_normalised(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    """Case, a trailing dot and an IPv6 spelling are the same identifier; a wildcard's
    authorization names its base domain with `wildcard` set (RFC 8555 §7.1.3)."""
    names = ["*.Wild.test", "2001:db8::1"]
    hostile.hostility.order_identifiers = [
        {"type": "DNS", "value": "*.WILD.test."},
        {"type": "ip", "value": "2001:0db8:0:0:0:0:0:1"},
    ]
    hostile.hostility.cert_names = ["*.wild.test", "2001:db8::1"]
    solver = RecordingSolver()
    await issue(client, names, solver, _csr(["*.wild.test", "2001:db8::1"]))
    assert sorted(str(i) for i in solver.presented) == ["dns:*.wild.test", "ip:2001:db8::1"]


async def test_an_order_for_other_names_is_refused(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    hostile.hostility.order_identifiers = [{"type": "dns", "value": "evil.test"}]
    solver = RecordingSolver()
    with pytest.raises(ProtocolError, match=r"is for 'evil.test', not for what was asked"):
        await issue(client, ["a.test"], solver, _csr(["a.test"]))
    assert solver.presented == []


async def test_a_long_xn_label_from_the_ca_is_refused_without_decoding_it(
    hostile: HostileAcme, client: AcmeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Punycode decoding is quadratic (a 1M-character label was 276 s of CPU): the length
    limits come first, so the codec never sees it."""
    hostile.hostility.order_identifiers = [{"type": "dns", "value": "xn--x-" + "b" * 200_000}]

    def never(*_args: object) -> NoReturn:
        raise AssertionError("punycode decoding of an over-long label")

    monkeypatch.setattr(codecs, "decode", never)
    with pytest.raises(ProtocolError, match=r"is for 'xn--x-b.*\.\.\., not for what was asked"):
        await issue(client, ["a.test"], RecordingSolver(), _csr(["a.test"]))


async def test_a_dns_hook_never_runs_a_forged_identifier(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real hook (a script that records its arguments) behind the check."""
    monkeypatch.chdir(tmp_path)
    hostile.hostility.authz_identifier = {"type": "dns", "value": INJECTION}
    with pytest.raises(ProtocolError):
        await issue(client, ["a.test"], DnsHookSolver("/bin/true"), _csr(["a.test"]))
    assert not (tmp_path / "PWNED").exists()


def test_cli_refuses_a_forged_identifier_without_running_anything(
    hostile: HostileAcme, cli: CliRunner
) -> None:
    """The reviewer's finding, as the user runs it: exit 1 (a protocol error: the CA broke the
    protocol), one clear line, no traceback, and no file created by the hook's shell."""
    hostile.hostility.authz_identifier = {"type": "dns", "value": INJECTION}
    run = issue_by_dns_hook(cli, hostile.directory_url, "/bin/true", new_account=False)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "which this order did not ask for" in run.stderr
    assert "acmedash: protocol error:" in run.stderr.splitlines()[-1]
    assert not (cli.workdir / "PWNED").exists()
    assert not (cli.workdir / "certs").exists() or not any((cli.workdir / "certs").rglob("*.pem"))


# -- 2. tokens that are paths ---------------------------------------------------------------------


async def test_a_traversal_token_touches_no_file(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path
) -> None:
    """`../../../../victim/target.txt` with a webroot: refused before any path is built; the
    victim file keeps its content (before the fix it was overwritten, then deleted)."""
    webroot = tmp_path / "www" / "site"
    webroot.mkdir(parents=True)
    victim = tmp_path / "victim" / "target.txt"
    victim.parent.mkdir()
    victim.write_text("precious")
    hostile.hostility.token = "../../../../victim/target.txt"
    solver = WebrootSolver(webroot)
    with pytest.raises(ProtocolError, match="not base64url"):
        await issue(client, ["a.test"], solver, _csr(["a.test"]))
    assert victim.read_text() == "precious"
    assert not (webroot / ".well-known").exists()


@pytest.mark.parametrize("token", ["a/b", "..", "tok\n", "tok en", "x" * 256, ""])
async def test_tokens_must_be_base64url(
    hostile: HostileAcme, client: AcmeClient, token: str
) -> None:
    hostile.hostility.token = token
    solver = RecordingSolver()
    with pytest.raises(ProtocolError, match="not base64url"):
        await issue(client, ["a.test"], solver, _csr(["a.test"]))
    assert solver.presented == []


# -- 5. the certificate must be the one that was asked for --------------------------------------


async def test_a_certificate_for_another_key_is_refused_and_nothing_is_saved(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path
) -> None:
    hostile.hostility.cert_other_key = True
    with pytest.raises(ProtocolError, match="another public key than the CSR's"):
        await workflow.issue(client, RecordingSolver(), IssueOptions(["a.test"], tmp_path / "out"))
    assert not list((tmp_path / "out").rglob("*.pem"))


@pytest.mark.parametrize(
    "names",
    [["a.test", "b.test"], ["b.test"], ["*.a.test"], ["a.test", "192.0.2.1"]],
)
async def test_a_certificate_for_other_names_is_refused_and_nothing_is_saved(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path, names: list[str]
) -> None:
    hostile.hostility.cert_names = names
    with pytest.raises(ProtocolError, match=r"names .* not what was asked \('a.test'\)"):
        await workflow.issue(client, RecordingSolver(), IssueOptions(["a.test"], tmp_path / "out"))
    assert not list((tmp_path / "out").rglob("*.pem"))


async def test_the_right_certificate_is_saved(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path
) -> None:
    """The check passes an honest certificate: names in another case and order are the same."""
    hostile.hostility.cert_names = ["B.test", "a.test"]
    options = IssueOptions(["a.test", "b.test"], tmp_path / "o")
    done = await workflow.issue(client, RecordingSolver(), options)
    assert done.cert.read_text().startswith("-----BEGIN CERTIFICATE-----")


def _stray_end(pem: bytes) -> bytes:
    """Text before the leaf with an END line in it: a cut at the first END line misses the leaf."""
    return b"Note: -----END CERTIFICATE----- \x1b]0;hi\x07\n" + pem


def _trusted_first(pem: bytes) -> bytes:
    """A certificate of another key in a TRUSTED CERTIFICATE block, which OpenSSL (nginx) reads
    first and cryptography's PEM reader skips."""
    other = make_certificate("evil.test", serial=1)
    body = base64.encodebytes(other.public_bytes(Encoding.DER))
    return (
        b"-----BEGIN TRUSTED CERTIFICATE-----\n"
        + body
        + b"-----END TRUSTED CERTIFICATE-----\n"
        + pem
    )


def _junk_after(pem: bytes) -> bytes:
    return pem + b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize("rewrite", [_stray_end, _trusted_first, _junk_after])
async def test_a_chain_with_anything_but_certificates_is_refused_and_nothing_is_saved(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path, rewrite: Callable[[bytes], bytes]
) -> None:
    """RFC 8555 §9.1: certificates only. Before, the files were cut from this text as sent."""
    hostile.hostility.chain_text = rewrite
    with pytest.raises(ProtocolError, match="did not return a PEM certificate chain"):
        await workflow.issue(client, RecordingSolver(), IssueOptions(["a.test"], tmp_path / "out"))
    assert not list((tmp_path / "out").rglob("*.pem"))


async def test_the_files_are_written_from_the_parsed_certificates(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path
) -> None:
    """CRLF line ends and blank lines between blocks are fine to receive, but the files hold
    our own serialisation of the checked certificates: leaf, issuers, both."""
    hostile.hostility.chain_text = lambda pem: (
        b"\r\n" + pem.replace(b"\n", b"\r\n").replace(b"-----\r\n-----", b"-----\r\n\r\n-----")
    )
    done = await workflow.issue(
        client, RecordingSolver(), IssueOptions(["a.test"], tmp_path / "out")
    )
    assert done.privkey is not None
    leaf, root = (c.public_bytes(Encoding.PEM) for c in _certificates(done.fullchain))
    assert done.cert.read_bytes() == leaf
    assert done.chain.read_bytes() == root
    assert done.fullchain.read_bytes() == leaf + root
    key = serialization.load_pem_private_key(done.privkey.read_bytes(), None)
    spki = (Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert x509.load_pem_x509_certificate(leaf).public_key().public_bytes(
        *spki
    ) == key.public_key().public_bytes(*spki)


def _certificates(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


async def test_alternate_chains_are_fetched_once_each_and_at_most_five(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    """100 links (the default chain's own URL and repeats among them) cost 5 downloads, not 100:
    each alternate may be 4 MiB, and 100 of them were 1.3 GiB."""
    hostile.hostility.alternate_links = lambda url: [
        url,
        *(f"{url}/alt/{k % 20}" for k in range(99)),
    ]
    issued = await issue(client, ["a.test"], RecordingSolver(), _csr(["a.test"]))
    downloads = [path for path in hostile.posted if path.startswith("/cert/")]
    assert len(issued.chains) == len(downloads) == 1 + MAX_ALTERNATES == 6
    assert sorted(path.rsplit("/", 2)[-2:][1] for path in downloads[1:]) == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]


async def test_a_broken_alternate_chain_is_one_error(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    """Alternates are fetched together; the failure is raised as itself, not as a group."""
    hostile.hostility.alternate_links = lambda url: [f"{url}/alt/1", f"{hostile.base}/nowhere"]
    with pytest.raises(ProblemError, match="404"):
        await issue(client, ["a.test"], RecordingSolver(), _csr(["a.test"]))


BAD_SAN = b"\x30\x05\x82\x09abc"  # a SEQUENCE that says 5 bytes and a dNSName that says 9


def test_a_certificate_whose_san_is_not_der_is_a_protocol_error(
    hostile: HostileAcme, cli: CliRunner
) -> None:
    """cryptography parses extensions on first use: the name check met a ValueError (exit 70)."""
    hostile.hostility.cert_san_der = BAD_SAN
    keys.save_key(keys.generate_key("ec256"), cli.workdir / "account.pem")
    args = ["--endpoint", hostile.directory_url, "--key", "account.pem", "cert", "issue"]
    run = cli(*args, "-d", "a.test", "--challenge", "dns-01", "--dns-hook", "/bin/true")
    assert run.returncode == 1, run.stderr
    last = run.stderr.splitlines()[-1]
    assert last.startswith("acmedash: protocol error:") and "cannot be read" in last
    assert "Traceback" not in run.stderr
    assert not (cli.workdir / "certs").exists() or not any((cli.workdir / "certs").rglob("*.pem"))


@pytest.mark.parametrize("command", ["info", "renew", "revoke"])
def test_a_certificate_file_whose_san_is_not_der_is_an_input_error(
    hostile: HostileAcme, cli: CliRunner, command: str
) -> None:
    """The same certificate in a file the user names: exit 2, one line, before any request."""
    san = x509.UnrecognizedExtension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, BAD_SAN)
    bad = make_certificate("a.test", san, serial=1)
    (cli.workdir / "bad.pem").write_bytes(bad.public_bytes(Encoding.PEM))
    keys.save_key(keys.generate_key("ec256"), cli.workdir / "account.pem")
    args = ["--endpoint", hostile.directory_url, "--key", "account.pem", "--yes"]
    run = cli(*args, "cert", command, "bad.pem")
    assert run.returncode == 2, run.stderr
    assert len(run.stderr.splitlines()) == 1
    assert (
        "bad.pem: a certificate with a name or extension that cannot be read (error parsing"
        in run.stderr
    )
    assert hostile.posted == []


# -- 6. cleanup errors ----------------------------------------------------------------------------


async def test_the_failure_wins_over_a_cleanup_error_and_every_cleanup_runs(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    hostile.hostility.invalid = {"a.test"}
    solver = RecordingSolver(broken_cleanup="a.test")
    steps: list[str] = []
    with pytest.raises(ProblemError, match=r"fails a\.test on purpose"):
        await issue(
            client, ["a.test", "b.test"], solver, _csr(["a.test", "b.test"]), progress=steps.append
        )
    assert sorted(i.value for i in solver.cleaned) == ["a.test", "b.test"]
    assert "cleanup failed: cleanup of a.test broke" in steps


async def test_a_cleanup_error_after_success_is_raised_after_every_cleanup(
    hostile: HostileAcme, client: AcmeClient
) -> None:
    solver = RecordingSolver(broken_cleanup="a.test")
    with pytest.raises(InputError, match=r"cleanup of a\.test broke"):
        await issue(client, ["a.test", "b.test"], solver, _csr(["a.test", "b.test"]))
    assert sorted(i.value for i in solver.cleaned) == ["a.test", "b.test"]


# -- 7. our secrets stay out of hooks -------------------------------------------------------------


async def test_hooks_do_not_get_our_secrets(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both hooks, the dns-01 one and the deploy one, write down their environment."""
    monkeypatch.setenv("ACMEDASH_KEY_PASSPHRASE", "s3cret-passphrase")
    monkeypatch.setenv("ACMEDASH_EAB_HMAC_KEY", "s3cret-mac-key")
    script = tmp_path / "env_names.py"
    script.write_text("import os, sys\nopen(sys.argv[1], 'a').write(' '.join(os.environ))\n")
    hook = f"{sys.executable} {script}"
    await workflow.issue(
        client,
        DnsHookSolver(f"{hook} {tmp_path / 'dns.env'}"),
        IssueOptions(["a.test"], tmp_path / "out", deploy_hook=f"{hook} {tmp_path / 'deploy.env'}"),
    )
    for name in ("dns.env", "deploy.env"):
        seen = (tmp_path / name).read_text().split()
        assert "PATH" in seen
        assert "ACMEDASH_KEY_PASSPHRASE" not in seen
        assert "ACMEDASH_EAB_HMAC_KEY" not in seen
    assert "ACME_DNS_NAME" in (tmp_path / "dns.env").read_text().split()
    assert os.environ["ACMEDASH_KEY_PASSPHRASE"] == "s3cret-passphrase"


async def test_errors_kept_per_name_hold_no_parsed_answer(
    hostile: HostileAcme, client: AcmeClient, tmp_path: Path
) -> None:
    """Second attacker round: `--each` keeps one error per name until every order ends, and
    with its traceback each kept the frames that parsed the CA's answer (50 refused 1 MiB
    orders: 1.3 GiB). The kept error's traceback is only the frame that kept it."""
    hostile.hostility.order_identifiers = [{"type": "dns", "value": "evil.test"}]
    outcomes = await workflow.issue_each(
        client, RecordingSolver(), [IssueOptions(["a.test"], tmp_path / "a")]
    )
    (error,) = outcomes
    assert isinstance(error, ProtocolError)
    frames = []
    trace = error.__traceback__
    while trace is not None:
        frames.append(trace.tb_frame.f_code.co_name)
        trace = trace.tb_next
    assert frames == ["one"]
