"""Pebble and pebble-challtestsrv, started by acmedash (`acmedash demo`, the test fixtures),
are other people's programs: they got acmedash's whole environment, the secret variables
(passphrase, EAB MAC key, TSIG secret, dns-lexicon's LEXICON_* tokens) included. Read back
from the real processes' /proc/<pid>/environ."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.acme.hooks import SECRET_ENVIRONMENT
from tui.pebble import ChallTestSrv, Pebble

PLANTED = {name: f"planted-{name}" for name in SECRET_ENVIRONMENT} | {
    "LEXICON_CLOUDFLARE_AUTH_TOKEN": "planted-lexicon-token"
}


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (entry.decode().partition("=") for entry in raw.split(b"\0") if entry)
    return {name: value for name, _, value in pairs}


def test_pebble_and_challtestsrv_get_none_of_our_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in PLANTED.items():
        monkeypatch.setenv(name, value)
    pebble = Pebble(tmp_path, env={"PEBBLE_WFE_NONCEREJECT": "0"}).start()
    dns = ChallTestSrv().start()
    try:
        assert pebble.process is not None and dns.process is not None
        pebble_env, dns_env = _environ(pebble.process.pid), _environ(dns.process.pid)
    finally:
        pebble.stop()
        dns.stop()
    for env in (pebble_env, dns_env):
        assert not set(PLANTED) & set(env)
        assert not set(PLANTED.values()) & set(env.values())
        assert env["PATH"]  # the rest of the environment is still passed on
    assert pebble_env["PEBBLE_WFE_NONCEREJECT"] == "0"  # and what the caller gave Pebble
    assert pebble_env["PEBBLE_VA_NOSLEEP"] == "1"
