"""The hostile and mistaken inputs of tests/test_hostile_input.py: what a person might type
or have on disk, each with the words acmedash must give as its reason, and the files each
case needs in the folder the command runs in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519

from tests.scripted_ca import Answer
from tui.acme import keys
from tui.acme.hooks import PASSPHRASE_ENV
from tui.pebble import _write_tls_files

# What a case puts in the folder first.
Setup = Callable[[Path], object]

# A file no one may read, root included: the kernel refuses /proc/1/mem to all but a tracer.
UNREADABLE = "/proc/1/mem"
# A folder nothing can be made in, root included.
UNWRITABLE = "/proc/1/acmedash-out"
ISSUE = ["cert", "issue", "-d", "a.test"]


def _write(name: str, data: bytes) -> Setup:
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


def _key_file(name: str, make: Callable[[], object], password: bytes | None = None) -> Setup:
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
    cert = x509.load_pem_x509_certificate(ca.read_bytes())
    (folder / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))


def _certificate(folder: Path) -> None:
    (folder / "tls").mkdir()
    _write_tls_files(folder / "tls")


def _csr_for(names: list[str]) -> Setup:
    def make(folder: Path) -> None:
        der = keys.make_csr(keys.generate_key("ec256"), names)
        pem = x509.load_der_x509_csr(der).public_bytes(serialization.Encoding.PEM)
        (folder / "csr.pem").write_bytes(pem)

    return make


def _link(name: str, target: str) -> Setup:
    return lambda folder: (folder / name).symlink_to(target)


def _config(text: str) -> Setup:
    return lambda folder: (folder / "config.toml").write_text(text)


def _nothing(folder: Path) -> None:
    return None


@dataclass(frozen=True)
class Case:
    args: list[str]
    reason: str  # in the one line acmedash says
    setup: Setup = _nothing
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
        ["directory"], "config.toml:1:12: contacts must be a list", _config("contacts = 5\n")
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
        "revocation reason 'bored' is not one CAs accept",
        _certificate,
    ),
    "cert info of a non-certificate": Case(
        ["cert", "info", "junk.pem"],
        "junk.pem is not a certificate: it is neither PEM",
        _write("junk.pem", b"not a certificate"),
    ),
    "revoke a key file": Case(["cert", "revoke", "k.pem"], "k.pem is not a certificate: its PEM"),
    # traffic files (attacker review, session 8: Python's json reads Infinity, and 1e400 as
    # infinity; made an int, it was an internal error, exit 70)
    "traffic record numbered Infinity": Case(
        ["inspect", "t.jsonl"],
        "t.jsonl: line 1: not a traffic record: cannot convert float infinity",
        _write(
            "t.jsonl",
            b'{"seq": Infinity, "started": "2026-11-26T17:40:01Z", "request": {"method": "GET",'
            b' "url": "https://x/dir", "headers": {}, "body": ""}, "response": {"status": 200,'
            b' "headers": {}, "body": ""}}\n',
        ),
    ),
    "HAR status 1e400": Case(
        ["inspect", "t.har"],
        "t.har: HAR entry 1: cannot convert float infinity",
        _write(
            "t.har",
            b'{"log": {"version": "1.2", "entries": [{"startedDateTime": "2026-11-26T17:40:01Z",'
            b' "time": 1, "request": {"method": "GET", "url": "https://x/dir", "headers": [],'
            b' "httpVersion": "HTTP/1.1"}, "response": {"status": 1e400, "headers": [],'
            b' "content": {"text": ""}, "httpVersion": "HTTP/1.1"}}]}}',
        ),
    ),
    # a start time without a zone beside one with (attacker review, session 9: comparing the
    # two ended inspect with a TypeError, exit 70)
    "traffic record time without a zone": Case(
        ["inspect", "t.jsonl"],
        "t.jsonl: line 2: not a traffic record: start time '2026-01-01T00:00:01' has no time zone",
        _write(
            "t.jsonl",
            b'{"seq": 2, "started": "2026-01-01T00:00:00Z", "request": {"method": "GET",'
            b' "url": "https://x/dir", "headers": {}, "body": ""}, "response": {"status": 200,'
            b' "headers": {}, "body": ""}}\n'
            b'{"seq": 1, "started": "2026-01-01T00:00:01", "request": {"method": "GET",'
            b' "url": "https://x/dir", "headers": {}, "body": ""}, "response": {"status": 200,'
            b' "headers": {}, "body": ""}}\n',
        ),
    ),
    "HAR time without a zone": Case(
        ["inspect", "t.har"],
        "t.har: HAR entry 1: start time '2026-11-26T17:40:01' has no time zone",
        _write(
            "t.har",
            b'{"log": {"version": "1.2", "entries": [{"startedDateTime": "2026-11-26T17:40:01",'
            b' "time": 1, "request": {"method": "GET", "url": "https://x/dir", "headers": [],'
            b' "httpVersion": "HTTP/1.1"}, "response": {"status": 200, "headers": [],'
            b' "content": {"text": ""}, "httpVersion": "HTTP/1.1"}}]}}',
        ),
    ),
    # options
    "http port out of range": Case([*ISSUE, "--http-port", "99999"], "out of range"),
    "tls port negative": Case([*ISSUE, "--tls-port", "-1"], "out of range"),
    "port not a number": Case([*ISSUE, "--http-port", "eighty"], "not a port number"),
    "unknown option": Case([*ISSUE, "--http", "8080"], "unrecognized arguments"),
    "option abbreviated": Case(
        [*ISSUE, "--challenge", "dns-01", "--dns-ser", "h"], "unrecognized arguments: --dns-ser h"
    ),
    "rfc2136 without a server": Case(
        [*ISSUE, "--challenge", "dns-01", "--dns", "rfc2136"],
        "--dns rfc2136 needs the update server: --dns-server HOST[:PORT]",
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
