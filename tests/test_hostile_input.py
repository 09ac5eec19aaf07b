"""Hostile and mistaken input (issue 10), one table: each case is what a person might type or
have on disk, the one-line reason acmedash must give, and the promise for all of them: exit 2,
that one line and no traceback, no file written or changed, and nothing sent to the CA that
could change anything there (no POST).

The CA is tests/scripted_ca.py (Pebble cannot serve a directory that is not JSON, and every
other case must be refused before Pebble would matter). The dashboard meets the same names,
key files and revocation reasons through its own fields and dialogs, below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519
from textual.widgets import Input, Static

from tests.conftest import CliRunner, ValidatingPebble, reach, settle, wait_for_screen, wait_until
from tests.scripted_ca import Answer, ScriptedCa
from tui.acme import jose, keys
from tui.acme.hooks import PASSPHRASE_ENV
from tui.config import Settings, load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.choice import Choice
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.screens.prompt import PromptScreen
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
    "email without @": Case(
        ["--contact", "mailto:nobody", "account", "new", "--yes"], "not a valid e-mail contact"
    ),
    "contact not a URI": Case(
        ["--contact", "ops example", "account", "new", "--yes"], "not a contact URI"
    ),
    "e-mail with a space": Case(
        ["--contact", "mailto:a b@example.org", "account", "new", "--yes"],
        "not a valid e-mail contact",
    ),
    # names
    "underscore in a name": Case([*ISSUE[:3], "a_b.test"], "letters, digits and inner hyphens"),
    "label over 63": Case([*ISSUE[:3], "a" * 64 + ".test"], "longer than 63"),
    "name over 253": Case([*ISSUE[:3], ".".join(["a" * 60] * 5)], "longer than 253"),
    "empty label": Case(["cert", "issue", "--each", "-d", "ok.test", "-d", "bad..test"], "empty"),
    "not punycode": Case([*ISSUE[:3], "straße.test"], "xn--"),
    "*.*.x": Case(
        [*ISSUE[:3], "*.*.a.test", "--challenge", "dns-01", "--dns-hook", "true"],
        "`*` may only be the whole first label",
    ),
    "wildcard with http-01": Case(
        [*ISSUE[:3], "*.a.test", "--challenge", "http-01"], "can only be validated with dns-01"
    ),
    "IP with dns-01": Case(
        [*ISSUE[:3], "192.0.2.1", "--challenge", "dns-01", "--dns-hook", "true"],
        "is an IP address",
    ),
    "IP with CIDR": Case([*ISSUE[:3], "10.0.0.0/8"], "CIDR"),
    "no identifiers": Case(["cert", "issue"], "name at least one domain"),
    "dns-01 without a hook": Case([*ISSUE, "--challenge", "dns-01"], "--dns-hook"),
    # key files
    "missing key": Case(["--key", "missing.pem", "account", "show"], "does not exist"),
    "corrupt key": Case(
        ["--key", "bad.pem", "account", "show"],
        "bad.pem: not a readable private key",
        _write("bad.pem", b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"),
    ),
    "empty key": Case(
        ["--key", "empty.pem", "account", "show"],
        "empty.pem: not a readable",
        _write("empty.pem", b""),
    ),
    "DER certificate as key": Case(
        ["--key", "cert.der", "account", "show"], "cert.der: not a readable", _der_certificate
    ),
    "public key only": Case(
        ["--key", "public.pem", "account", "show"], "public.pem: not a readable", _public_only
    ),
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
        "a passphrase is needed",
        _key_file("enc.pem", lambda: keys.generate_key("ec256"), b"right one"),
    ),
    "encrypted key, wrong passphrase": Case(
        ["--key", "enc.pem", "account", "show"],
        "wrong passphrase",
        _key_file("enc.pem", lambda: keys.generate_key("ec256"), b"right one"),
        ((PASSPHRASE_ENV, "wrong one"),),
    ),
    "key path is a folder": Case(["--key", ".", "account", "show"], "is a directory"),
    "unreadable key": Case(
        ["--key", "locked.pem", "account", "show"],
        "cannot read key file",
        _link("locked.pem", UNREADABLE),
    ),
    "key generate over a key": Case(["key", "generate", "k.pem"], "refusing to overwrite"),
    "unknown key type": Case(["key", "generate", "n.pem", "--type", "rsa1024"], "invalid choice"),
    # output
    "--out unwritable": Case([*ISSUE, "--out", UNWRITABLE], "cannot create or write"),
    "--traffic is a folder": Case(["--traffic", ".", "directory"], "cannot open traffic file"),
    # CSR
    "CSR garbage": Case(
        [*ISSUE, "--csr", "csr.pem"],
        "not a PEM or DER certificate signing",
        _write("csr.pem", b"not a CSR at all\n"),
    ),
    "CSR names differ": Case(
        [*ISSUE, "--csr", "csr.pem"], "differ from the CSR's names", _csr_for(["b.test"])
    ),
    # config
    "config syntax error": Case(["directory"], "config.toml:2", _config('theme = "x"\nc = [\n')),
    "config wrong type": Case(
        ["directory"], "config.toml:1: contacts must be a list", _config("contacts = 5\n")
    ),
    "config unreadable": Case(
        ["--config", "locked.toml", "directory"],
        "cannot read config",
        _link("locked.toml", UNREADABLE),
    ),
    "config is a folder": Case(
        ["--config", "cfg", "directory"], "cannot read config", lambda f: (f / "cfg").mkdir()
    ),
    # endpoint and trust
    "unknown preset": Case(["--endpoint", "no-such-ca", "directory"], "unknown endpoint"),
    "http:// off loopback": Case(
        ["--endpoint", "http://acme.example.net/dir", "directory"], "refusing plain http://"
    ),
    "invalid IPv6 URL": Case(["--endpoint", "https://[::1", "directory"], "Invalid IPv6 URL"),
    "port out of range in URL": Case(
        ["--endpoint", "https://x.test:99999/dir", "directory"], "Port out of range"
    ),
    "missing CA bundle": Case(["--ca-bundle", "nope.pem", "directory"], "cannot load CA bundle"),
    # revocation
    "unknown revocation reason": Case(
        ["cert", "revoke", "tls/cert.pem", "--reason", "bored"],
        "unknown revocation reason 'bored'",
        _certificate,
    ),
    "cert info of a non-certificate": Case(
        ["cert", "info", "junk.pem"],
        "not a PEM or DER certificate",
        _write("junk.pem", b"not a certificate"),
    ),
    "revoke a key file": Case(["cert", "revoke", "k.pem"], "not a PEM or DER certificate"),
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


# -- the dashboard: the same inputs through its own fields ---------------------------------

# Names typed into the Orders tab, with the challenge chosen there and the folder to save to.
DASHBOARD_ORDERS: dict[str, tuple[str, str, str]] = {
    "underscore in a name": ("a_b.test", "http-01", ""),
    "label over 63": ("a" * 64 + ".test", "http-01", ""),
    "name over 253": (".".join(["a" * 60] * 5), "http-01", ""),
    "empty label": ("ok.test bad..test", "http-01", ""),
    "not punycode": ("straße.test", "http-01", ""),
    "*.*.x": ("*.*.a.test", "dns-01", ""),
    "wildcard with http-01": ("*.a.test", "http-01", ""),
    "IP with dns-01": ("192.0.2.1", "dns-01", ""),
    "IP with CIDR": ("10.0.0.0/8", "http-01", ""),
    # No names is not an error here: Enter (or I) on an empty form asks for them.
    "no identifiers": ("   ", "http-01", ""),
    "--out unwritable": ("a.test", "http-01", UNWRITABLE),
}
# The account key the config names, as the dashboard opens with it.
DASHBOARD_KEYS = [
    "missing key",
    "corrupt key",
    "empty key",
    "DER certificate as key",
    "public key only",
    "Ed25519 key",
    "DSA key",
    "encrypted key, wrong passphrase",
    "key path is a folder",
    "unreadable key",
]


def _dashboard(folder: Path, ca: ScriptedCa, key: str = "k.pem") -> AcmeDashApp:
    settings = load_settings(folder / "config.toml")
    settings.endpoint = ca.directory_url
    settings.account_key = str(folder / key)
    save_settings(settings, folder / "config.toml")
    return AcmeDashApp(load_settings(folder / "config.toml"), config_path=folder / "config.toml")


def _errors(app: AcmeDashApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


@pytest.mark.parametrize("name", list(DASHBOARD_ORDERS))
async def test_dashboard_refuses_names(
    name: str, ca: ScriptedCa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed into the Orders tab: one error notification with the CLI's reason, no file, no
    POST, and the dashboard still there."""
    names, challenge, out = DASHBOARD_ORDERS[name]
    _with_account(tmp_path, ca)
    monkeypatch.chdir(tmp_path)
    app = _dashboard(tmp_path, ca)
    async with app.run_test(size=(100, 40)) as pilot:
        app.query_one("#side", TabbedPanes).active = "pane-orders"
        await wait_until(pilot, lambda: bool(app.query("#order-names")), "the Orders tab")
        app.query_one("#order-challenge", Choice).value = challenge
        app.query_one("#order-out", Input).value = out
        before = _files(tmp_path)
        field = app.query_one("#order-names", Input)
        field.value = names
        field.focus()
        await pilot.press("enter")
        await settle(app)
        said = [n.message for n in app._notifications]
        reason = "Type the names" if name == "no identifiers" else CASES[name].reason
        assert len(said) == 1 and reason in said[0], said
        assert "unexpected" not in said[0] and "\n" not in said[0]
        assert _errors(app) == ([] if name == "no identifiers" else said)
        assert app.is_running
    assert _files(tmp_path) == before
    assert [r for r in ca.requests if r[0] == "POST"] == []


@pytest.mark.parametrize("name", DASHBOARD_KEYS)
async def test_dashboard_refuses_key_files(
    name: str, ca: ScriptedCa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config names a bad key file: the Key tab says why in the CLI's words, `l` (find the
    account) asks for a key instead of sending anything, and no file changes."""
    case = CASES[name]
    _with_account(tmp_path, ca)
    case.setup(tmp_path)
    for variable, value in case.env:
        monkeypatch.setenv(variable, value)
    app = _dashboard(tmp_path, ca, case.args[1])
    before = _files(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.query_one("#side", TabbedPanes).active = "pane-key"
        await wait_until(pilot, lambda: bool(app.query("#key-info")), "the Key tab")
        info = app.query_one("#key-info", Static)
        await wait_until(pilot, lambda: case.reason in str(info.content), f"{case.reason} shown")
        await pilot.press("l")
        await settle(app)
        assert not _errors(app), _errors(app)
        assert app.workspace.key is None
    assert _files(tmp_path) == before
    assert ca.requests == []


async def test_dashboard_refuses_an_unknown_revocation_reason(
    ca: ScriptedCa, tmp_path: Path
) -> None:
    _with_account(tmp_path, ca)
    CASES["unknown revocation reason"].setup(tmp_path)
    app = _dashboard(tmp_path, ca)
    before = _files(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("V")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = str(tmp_path / "tls" / "cert.pem")
        await pilot.press("enter")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = "bored"
        await pilot.press("enter")
        await settle(app)
        errors = _errors(app)
        assert len(errors) == 1 and "bored" in errors[0], errors
    assert _files(tmp_path) == before
    assert [r for r in ca.requests if r[0] == "POST"] == []


def test_a_failing_deploy_hook_is_said_in_one_line(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """The one case where something is written: the certificate is issued and saved before the
    hook runs, so the line says where it is, and the exit code says the hook (the user's
    command) failed."""
    common = [*reach(validating.pebble), "--key", "k.pem"]
    assert cli(*common, "account", "new", "--yes").returncode == 0
    http01 = ["--challenge", "http-01", "--listen", "127.0.0.1"]
    http01 += ["--http-port", str(validating.http_port)]
    hook = ["--deploy-hook", "echo reload refused; exit 4"]
    result = cli(*common, "cert", "issue", "-d", "hook.input.test", *http01, "--out", "s", *hook)
    said = [line for line in result.stderr.splitlines() if line.startswith("acmedash: ")]
    assert result.returncode == 2, result.stderr
    assert said == [
        "acmedash: certificate saved in s, but the deploy hook exited 4: reload refused"
    ], result.stderr
    assert "Traceback" not in result.stderr
    assert (cli.workdir / "s" / "cert.pem").exists()
