"""No secret leaves where it belongs (issue 10): a session of real operations against real
Pebbles, through the CLI and the dashboard, with an encrypted account key (its passphrase from
the environment) and External Account Binding (the MAC key from the environment and, once, from
the command line), then a scan of everything the session wrote (traffic JSONL, the dashboard's
JSONL and HAR exports, a screenshot of its screen, the config, every command's output and error
output) and of the committed dashboard snapshots.

Sought: PEM private key blocks, JWK private members (d, p, q, dp, dq, qi), the private value of
every key the session used, the EAB MAC key and the passphrase, as text and inside every
base64url token (JWS parts are base64url, so a secret in a payload would hide from a plain
text search). Key files may hold a private key, and must be 0600; so must the config."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from textual.widgets import Input

from tests.conftest import (
    EAB_KID,
    EAB_MAC,
    CliRunner,
    ValidatingPebble,
    http01_options,
    reach,
    settle,
    wait_for_screen,
)
from tui.acme import jose, keys
from tui.acme.hooks import EAB_KEY_ENV, PASSPHRASE_ENV
from tui.config import load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.screens.prompt import PromptScreen
from tui.pebble import Pebble

PASSPHRASE = "correct horse battery staple 7"
SNAPSHOTS = Path(__file__).parent / "__snapshots__"
_PRIVATE_PEM = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_PRIVATE_JWK = re.compile(rb'"(d|p|q|dp|dq|qi)"\s*:\s*"[A-Za-z0-9_-]{16,}')
_B64URL = re.compile(rb"[A-Za-z0-9_-]{24,}")


def _decoded(data: bytes) -> Iterator[bytes]:
    """`data`, then every base64url token in it decoded, one level deep and then again (a
    JWS in a JSON string in a JSONL line)."""
    yield data
    for level in range(2):
        found = []
        for token in _B64URL.findall(data):
            try:
                found.append(base64.urlsafe_b64decode(token + b"=" * (-len(token) % 4)))
            except (binascii.Error, ValueError):
                continue
        data = b"\n".join(found)
        if level == 0:
            yield data
    yield data


def _private_values(folder: Path) -> set[bytes]:
    """The JWK private members of every key file in `folder`, as they would be written."""
    values: set[bytes] = set()
    for path in folder.rglob("*.pem"):
        if not _PRIVATE_PEM.search(path.read_bytes()):
            continue
        key = keys.load_key(path, PASSPHRASE.encode())
        numbers = key.private_numbers()
        for name in ("private_value", "p", "q", "d"):
            if (number := getattr(numbers, name, None)) is not None:
                size = (number.bit_length() + 7) // 8
                values.add(jose.b64url(number.to_bytes(size, "big")).encode())
    return values


def _leaks(data: bytes, secrets: set[bytes]) -> list[str]:
    found = []
    for part in _decoded(data):
        if _PRIVATE_PEM.search(part):
            found.append("a PEM private key block")
        if _PRIVATE_JWK.search(part):
            found.append("a private JWK member")
        found += [f"secret {s[:6]!r}..." for s in secrets if s in part]
    return found


def _key_file(path: Path, data: bytes) -> bool:
    return path.suffix == ".pem" and bool(_PRIVATE_PEM.search(data))


@pytest.fixture
def session_folder(
    cli: CliRunner, eab_pebble: Pebble, validating: ValidatingPebble
) -> tuple[Path, list[str]]:
    """Runs the session; returns its folder and every command's stdout and stderr."""
    folder = cli.workdir
    keys.save_key(keys.generate_key("ec256"), folder / "account.pem", PASSPHRASE.encode())
    env = {PASSPHRASE_ENV: PASSPHRASE}
    eab_env = {**env, EAB_KEY_ENV: EAB_MAC}
    common = ["--key", "account.pem", "--traffic", "traffic.jsonl", "--contact", "mailto:s@e.org"]
    eab, va = reach(eab_pebble), reach(validating.pebble)
    http01 = http01_options(validating)
    commands: list[tuple[list[str], dict[str, str], int]] = [
        ([*eab, *common, "account", "new", "--yes", "--eab-kid", EAB_KID, "--json"], eab_env, 0),
        ([*eab, *common, "account", "show", "--json"], eab_env, 0),
        ([*eab, *common, "account", "new", "--yes", "--eab-kid", EAB_KID, "--eab-hmac-key",
          EAB_MAC], env, 0),
        ([*va, *common, "account", "new", "--yes", "--json"], env, 0),
        ([*va, *common, "cert", "issue", "-d", "secrets.scan.test", *http01, "--out", "site",
          "--json"], env, 0),
        ([*va, *common, "cert", "info", "site/cert.pem"], env, 0),
        ([*va, *common, "cert", "revoke", "site/cert.pem", "--reason", "superseded"], env, 0),
        ([*va, *common, "account", "show"], {PASSPHRASE_ENV: "not the passphrase"}, 2),
        ([*va, "--debug", *common, "account", "show"], {}, 2),
    ]  # fmt: skip
    outputs = []
    for args, extra, code in commands:
        result = cli(*args, env=extra)
        assert result.returncode == code, (args, result.stderr)
        outputs += [result.stdout, result.stderr]
    return folder, outputs


async def test_nothing_written_holds_a_secret(
    session_folder: tuple[Path, list[str]],
    validating: ValidatingPebble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, outputs = session_folder
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    config = folder / "config.toml"
    settings = load_settings(config)
    settings.endpoint = validating.pebble.directory_url
    settings.ca_bundle = str(validating.pebble.ca_bundle)
    settings.account_key = str(folder / "account.pem")
    save_settings(settings, config)
    app = AcmeDashApp(load_settings(config), config_path=config)
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("n", "l", "i"):
            await pilot.press(key)
            await settle(app)
        for key, name in (("x", "export.jsonl"), ("X", "export.har")):
            await pilot.press(key)
            await wait_for_screen(pilot, PromptScreen)
            app.screen.query_one(Input).value = str(folder / name)
            await pilot.press("enter")
            await settle(app)
        app.save_screenshot("screen.svg", str(folder))
        outputs += [n.message for n in app._notifications]
    assert (folder / "export.jsonl").exists() and (folder / "export.har").exists()
    assert json.loads((folder / "export.har").read_text())["log"]["entries"]

    secrets = _private_values(folder) | {EAB_MAC.encode(), PASSPHRASE.encode()}
    assert len(secrets) >= 4  # the account key, the certificate key, EAB, passphrase
    scanned, leaks = [], []
    written = [p for p in folder.rglob("*") if p.is_file()] + list(SNAPSHOTS.glob("*.svg"))
    for path in written:
        data = path.read_bytes()
        if _key_file(path, data):
            assert path.stat().st_mode & 0o777 == 0o600, path
            continue
        scanned.append(path.name)
        leaks += [f"{path}: {leak}" for leak in _leaks(data, secrets)]
    for i, text in enumerate(outputs):
        leaks += [f"output {i}: {leak}" for leak in _leaks(text.encode(), secrets)]
    assert not leaks, leaks
    assert config.stat().st_mode & 0o777 == 0o600
    assert {"traffic.jsonl", "export.jsonl", "export.har", "screen.svg", "config.toml"} <= set(
        scanned
    )


def test_the_scan_finds_what_it_seeks() -> None:
    """The scan above passing means something only if it can fail: each secret hidden as the
    session could leak it, in a JWS payload inside a JSONL line, is found."""
    key = ec.generate_private_key(ec.SECP256R1())
    d = jose.b64url(key.private_numbers().private_value.to_bytes(32, "big")).encode()
    hidden = [
        {"d": d.decode(), "kty": "EC"},
        {"contact": [PASSPHRASE]},
        {"mac": EAB_MAC},
    ]
    for payload in hidden:
        jws = {"payload": jose.b64url(json.dumps(payload).encode()), "signature": "AAAA"}
        line = json.dumps({"request_body": json.dumps(jws)}).encode()
        assert _leaks(line, {d, EAB_MAC.encode(), PASSPHRASE.encode()}), payload
    assert _leaks(keys.key_to_pem(key), set()) == ["a PEM private key block"]
