"""Hostile and mistaken input (issue 10), one table: each case is what a person might type or
have on disk, the one-line reason acmedash must give, and the promise for all of them: exit 2,
that one line and no traceback, no file written or changed, and nothing sent to the CA that
could change anything there (no POST).

The CA is tests/scripted_ca.py (Pebble cannot serve a directory that is not JSON, and every
other case must be refused before Pebble would matter). The dashboard meets the same names,
key files and revocation reasons through its own fields and dialogs, below."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519

from tests.conftest import CliRunner
from tests.scripted_ca import Answer, ScriptedCa, scripted_ca
from tui.acme import jose, keys
from tui.acme.hooks import PASSPHRASE_ENV
from tui.config import Settings, save_settings
from tui.pebble import _write_tls_files

# A file no one may read, root included: the kernel refuses /proc/1/mem to all but a tracer.
UNREADABLE = "/proc/1/mem"
# A folder nothing can be made in, root included.
UNWRITABLE = "/proc/1/acmedash-out"
ISSUE = ["cert", "issue", "-d", "a.test"]


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def _key_pem(key: object, password: bytes | None = None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def _key_file(name: str, make: Callable[[], object], password: bytes | None = None):  # type: ignore[no-untyped-def]
    return lambda folder: (folder / name).write_bytes(_key_pem(make(), password))


def _public_only(folder: Path) -> None:
    public = keys.generate_key("ec256").public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / "public.pem").write_bytes(pem)


def _der_certificate(folder: Path) -> None:
    _certificate(folder)
    ca = folder / "tls" / "ca.pem"
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(ca.read_bytes())
    (folder / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))


def _certificate(folder: Path) -> None:
    (folder / "tls").mkdir()
    _write_tls_files(folder / "tls")


def _csr_for(names: list[str]) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        der = keys.make_csr(keys.generate_key("ec256"), names)
        from cryptography import x509

        pem = x509.load_der_x509_csr(der).public_bytes(serialization.Encoding.PEM)
        (folder / "csr.pem").write_bytes(pem)

    return make


def _link(name: str, target: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).symlink_to(target)


def _config(text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / "config.toml").write_text(text)


def _nothing(folder: Path) -> None:
    return None


@dataclass(frozen=True)
class Case:
    args: list[str]
    reason: str  # in the one line acmedash says
    setup: Callable[[Path], None] = _nothing
    env: tuple[tuple[str, str], ...] = ()


# Every case runs with a valid ec256 account key at k.pem and the scripted CA as endpoint,
# unless its own options say otherwise: the input alone stops the command.
CASES: dict[str, Case] = {
    # contacts
    "email without @": Case(["--contact", "mailto:nobody", "account", "new", "--yes"], "nobody"),
    "contact not a URI": Case(["--contact", "ops example", "account", "new", "--yes"], "contact"),
    "e-mail with a space": Case(
        ["--contact", "mailto:a b@example.org", "account", "new", "--yes"], "e-mail"
    ),
    # names
    "underscore in a name": Case([*ISSUE[:3], "a_b.test"], "letters, digits and inner hyphens"),
    "label over 63": Case([*ISSUE[:3], "a" * 64 + ".test"], "longer than 63"),
    "name over 253": Case([*ISSUE[:3], ".".join(["a" * 60] * 5)], "longer than 253"),
    "empty label": Case(["cert", "issue", "--each", "-d", "ok.test", "-d", "bad..test"], "empty"),
    "not punycode": Case([*ISSUE[:3], "straße.test"], "xn--"),
    "*.*.x": Case([*ISSUE[:3], "*.*.a.test", "--challenge", "dns-01", "--dns-hook", "true"], "*"),
    "wildcard with http-01": Case([*ISSUE[:3], "*.a.test", "--challenge", "http-01"], "dns-01"),
    "IP with dns-01": Case(
        [*ISSUE[:3], "192.0.2.1", "--challenge", "dns-01", "--dns-hook", "true"],
        "is an IP address",
    ),
    "IP with CIDR": Case([*ISSUE[:3], "10.0.0.0/8"], "CIDR"),
    "no identifiers": Case(["cert", "issue"], "-d"),
    # key files
    "missing key": Case(["--key", "missing.pem", "account", "show"], "does not exist"),
    "corrupt key": Case(
        ["--key", "bad.pem", "account", "show"],
        "bad.pem",
        _write("bad.pem", b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"),
    ),
    "empty key": Case(
        ["--key", "empty.pem", "account", "show"], "empty.pem", _write("empty.pem", b"")
    ),
    "DER certificate as key": Case(
        ["--key", "cert.der", "account", "show"], "cert.der", _der_certificate
    ),
    "public key only": Case(["--key", "public.pem", "account", "show"], "public.pem", _public_only),
    "Ed25519 key": Case(
        ["--key", "ed.pem", "account", "show"],
        "Ed25519 keys are not accepted",
        _key_file("ed.pem", ed25519.Ed25519PrivateKey.generate),
    ),
    "DSA key": Case(
        ["--key", "dsa.pem", "account", "show"],
        "DSA keys are not accepted",
        _key_file("dsa.pem", lambda: dsa.generate_private_key(key_size=2048)),
    ),
    "encrypted key, no passphrase": Case(
        ["--key", "enc.pem", "account", "show"],
        "passphrase",
        _key_file("enc.pem", lambda: keys.generate_key("ec256"), b"right one"),
    ),
    "encrypted key, wrong passphrase": Case(
        ["--key", "enc.pem", "account", "show"],
        "passphrase",
        _key_file("enc.pem", lambda: keys.generate_key("ec256"), b"right one"),
        ((PASSPHRASE_ENV, "wrong one"),),
    ),
    "key path is a folder": Case(["--key", ".", "account", "show"], "is a directory"),
    "unreadable key": Case(
        ["--key", "locked.pem", "account", "show"], "locked.pem", _link("locked.pem", UNREADABLE)
    ),
    "key generate over a key": Case(["key", "generate", "k.pem"], "refusing to overwrite"),
    "unknown key type": Case(["key", "generate", "n.pem", "--type", "rsa1024"], "invalid choice"),
    # output
    "--out unwritable": Case([*ISSUE, "--out", UNWRITABLE], "cannot create or write"),
    "--traffic is a folder": Case(["--traffic", ".", "directory"], "cannot open traffic file"),
    # CSR
    "CSR garbage": Case(
        [*ISSUE, "--csr", "csr.pem"], "csr.pem", _write("csr.pem", b"not a CSR at all\n")
    ),
    "CSR names differ": Case([*ISSUE, "--csr", "csr.pem"], "b.test", _csr_for(["b.test"])),
    # config
    "config syntax error": Case(["directory"], "config.toml:2", _config('theme = "x"\nc = [\n')),
    "config wrong type": Case(["directory"], "contacts", _config("contacts = 5\n")),
    "config unreadable": Case(
        ["--config", "locked.toml", "directory"], "locked.toml", _link("locked.toml", UNREADABLE)
    ),
    "config is a folder": Case(
        ["--config", "cfg", "directory"], "cfg", lambda f: (f / "cfg").mkdir()
    ),
    # endpoint and trust
    "unknown preset": Case(["--endpoint", "no-such-ca", "directory"], "no-such-ca"),
    "http:// off loopback": Case(
        ["--endpoint", "http://acme.example.net/dir", "directory"], "http://"
    ),
    "invalid IPv6 URL": Case(["--endpoint", "https://[::1", "directory"], "Invalid IPv6 URL"),
    "port out of range in URL": Case(
        ["--endpoint", "https://x.test:99999/dir", "directory"], "Port out of range"
    ),
    "missing CA bundle": Case(["--ca-bundle", "nope.pem", "directory"], "nope.pem"),
    # revocation
    "unknown revocation reason": Case(
        ["cert", "revoke", "tls/cert.pem", "--reason", "bored"], "bored", _certificate
    ),
    "revoke a key file": Case(["cert", "revoke", "k.pem"], "k.pem"),
    # options
    "http port out of range": Case([*ISSUE, "--http-port", "99999"], "out of range"),
    "tls port negative": Case([*ISSUE, "--tls-port", "-1"], "out of range"),
    "port not a number": Case([*ISSUE, "--http-port", "eighty"], "not a port number"),
    "unknown option": Case([*ISSUE, "--http", "8080"], "unrecognized arguments"),
    "option abbreviated": Case(
        [*ISSUE, "--challenge", "dns-01", "--dns", "rfc2136"], "unrecognized arguments"
    ),
    "EAB key id without MAC key": Case(
        ["account", "new", "--yes", "--eab-kid", "kid-1"], "MAC key"
    ),
}
# The directory at the scripted CA's URL, for the two cases where the CA's answer is the input.
DIRECTORY_CASES: dict[str, tuple[Answer, str]] = {
    "directory not JSON": (
        Answer(body=b"<html>hello</html>", content_type="text/html"),
        "not an ACME directory",
    ),
    "directory lacks fields": (Answer(body={"newNonce": "x"}), "not an ACME directory"),
}


@pytest.fixture
def ca() -> Iterator[ScriptedCa]:
    with scripted_ca() as server:
        yield server


def _with_account(folder: Path, ca: ScriptedCa) -> None:
    """An account key at k.pem whose account the config remembers: a person who has one, so
    a command gets as far as the input lets it, with no lookup to make."""
    key = keys.generate_key("ec256")
    keys.save_key(key, folder / "k.pem")
    settings = Settings()
    thumbprint = jose.thumbprint(jose.public_jwk(key))
    settings.remember_account(ca.directory_url, thumbprint, f"{ca.base}/acct/1")
    save_settings(settings, folder / "config.toml")


def _files(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder`, with the bytes of each regular file."""
    return {
        str(path.relative_to(folder)): (
            path.read_bytes() if path.is_file() and not path.is_symlink() else None
        )
        for path in sorted(folder.rglob("*"))
    }


def _refused(result: object, reason: str) -> None:
    err = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 2, err  # type: ignore[attr-defined]
    assert len(err.splitlines()) == 1, err
    assert reason in err and "Traceback" not in err, err


@pytest.mark.parametrize("name", list(CASES))
def test_cli_refuses(name: str, cli: CliRunner, ca: ScriptedCa) -> None:
    case = CASES[name]
    _with_account(cli.workdir, ca)
    case.setup(cli.workdir)
    before = _files(cli.workdir)
    result = cli(
        "--endpoint", ca.directory_url, "--key", "k.pem", "--config", "config.toml",
        *case.args, env=dict(case.env),
    )  # fmt: skip
    _refused(result, case.reason)
    assert _files(cli.workdir) == before, "a file was written or changed"
    assert [r for r in ca.requests if r[0] == "POST"] == []


@pytest.mark.parametrize("name", list(DIRECTORY_CASES))
def test_cli_refuses_what_is_not_a_directory(name: str, cli: CliRunner, ca: ScriptedCa) -> None:
    """A URL that answers, but not with a directory: the wrong URL (a web page, a typo in the
    path) is the user's input, as an unusable directory URL is."""
    answer, reason = DIRECTORY_CASES[name]
    ca.routes["/dir"] = answer
    keys.save_key(keys.generate_key("ec256"), cli.workdir / "k.pem")
    before = _files(cli.workdir)
    result = cli("--endpoint", ca.directory_url, "--key", "k.pem", "account", "show")
    _refused(result, reason)
    assert _files(cli.workdir) == before
    assert ca.requests == [("GET", "/dir")]


def test_the_table_has_forty_cases() -> None:
    assert len(CASES) + len(DIRECTORY_CASES) >= 40
