"""No DNS secret (TSIG secret, provider token) leaves acmedash: not in the output, the
progress, the traffic record, error messages, or the settings a renewal remembers
(workflow.SolverChoice, whose fields the renewal settings store). Real BIND and PowerDNS."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CliRunner, DnsPebble
from tests.test_dns_providers import pdns_account, powerdns_config
from tests.test_dns_rfc2136 import account, secret_file
from tui.acme.errors import InputError
from tui.dns import method
from tui.dns.tsig import TSIG_SECRET_ENV, load_tsig_key, parse_secret
from tui.workflow import SolverChoice

__all__ = ["account", "pdns_account"]  # fixtures shared with the other dns tests


def _everything(cli: CliRunner, *runs: subprocess.CompletedProcess[str]) -> str:
    """Every output of the runs and every text file acmedash wrote in the working folder."""
    texts = [f"{run.stdout}\n{run.stderr}" for run in runs]
    for path in cli.workdir.rglob("*"):
        if path.is_file() and path.suffix in (".jsonl", ".json", ".toml", ".pem", ".txt", ""):
            texts.append(path.read_text(errors="replace"))
    return "\n".join(texts)


def test_tsig_secret_from_the_environment_never_shown(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    bind = bind_pebble.dns
    options = ["--challenge", "dns-01", "--dns", "rfc2136", "--dns-server", bind.server]
    env = {TSIG_SECRET_ENV: bind.key_block()}
    ok = cli(*account, "cert", "issue", "-d", "env.example.test", *options, "--json", env=env)
    assert ok.returncode == 0, ok.stderr
    wrong = base64.b64encode(b"x" * 32).decode()
    bad = cli(
        *account,
        "cert",
        "issue",
        "-d",
        "bad.example.test",
        *options,
        "--tsig-key",
        "acmedash-test",
        "--debug",
        env={TSIG_SECRET_ENV: wrong},
    )
    assert bad.returncode == 2, bad.stderr
    everything = _everything(cli, ok, bad)
    assert (cli.workdir / "t.jsonl").stat().st_size > 0  # the traffic record is among them
    for secret in (bind.secret, wrong, base64.b64decode(bind.secret).hex()):
        assert secret not in everything


def test_provider_token_never_shown(
    cli: CliRunner, pdns_pebble: DnsPebble, pdns_account: list[str]
) -> None:
    token = pdns_pebble.dns.api_key
    powerdns_config(cli, pdns_pebble, token_line=f'auth_token = "{token}"\n')
    ok = cli(*pdns_account, "cert", "issue", "-d", "tok.example.test", "--challenge", "dns-01")
    assert ok.returncode == 0, ok.stderr
    cli.config.unlink()
    outputs = _everything(cli, ok)
    assert token not in outputs


def test_the_remembered_solver_choice_holds_no_secret(tmp_path: Path) -> None:
    """What renewal remembers is SolverChoice's fields: the secret file's path, not its content."""
    secret = base64.b64encode(b"s" * 32).decode()
    key = secret_file(tmp_path, secret)
    dns = method.with_overrides(
        method.from_config({"method": "rfc2136", "server": "127.0.0.1"}),
        tsig_key="k",
        tsig_secret_file=str(key),
    )
    remembered = json.dumps(dataclasses.asdict(SolverChoice(challenge="dns-01", dns=dns)))
    assert str(key) in remembered and secret not in remembered
    loaded = load_tsig_key(dns.tsig_key, dns.tsig_algorithm, dns.tsig_secret_file)
    assert loaded is not None and secret not in repr(loaded)


def test_secret_file_forms_and_refusals(tmp_path: Path) -> None:
    secret = base64.b64encode(b"k" * 32).decode()
    block = f'key "name.example." {{\n  algorithm hmac-sha512;\n  secret "{secret}";\n}};\n'
    parsed = parse_secret(block, "f", "", "")
    assert (parsed.name, parsed.algorithm) == ("name.example", "hmac-sha512")
    assert parse_secret(secret, "f", "k", "").algorithm == "hmac-sha256"
    with pytest.raises(InputError, match=r"holds key 'name\.example', not 'other'"):
        parse_secret(block, "f", "other", "")
    with pytest.raises(InputError, match="not base64") as bad:
        parse_secret("not*base64", "f", "k", "")
    assert "not*base64" not in str(bad.value)
    with pytest.raises(InputError, match="name the TSIG key"):
        parse_secret(secret, "f", "", "")
    readable = tmp_path / "open.key"
    readable.write_text(secret)
    readable.chmod(0o644)
    with pytest.raises(InputError, match="0600") as refused:
        load_tsig_key("k", "", str(readable))
    assert secret not in str(refused.value)


def test_hooks_never_get_the_tsig_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.acme.hooks import hook_environment

    monkeypatch.setenv(TSIG_SECRET_ENV, "c2VjcmV0")
    assert TSIG_SECRET_ENV not in hook_environment({})
