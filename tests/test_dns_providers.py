"""dns-01 through dns-lexicon's PowerDNS provider against a real PowerDNS (sqlite3 backend, HTTP
API on loopback; tests/dns_servers.PowerDns) that Pebble asks for the TXT records. Credentials
from the config's [dns.powerdns] table, a 0600 file, or lexicon's LEXICON_* variables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRunner, DnsPebble
from tests.test_dns_rfc2136 import dns_account


@pytest.fixture
def pdns_account(cli: CliRunner, pdns_pebble: DnsPebble) -> list[str]:
    return dns_account(cli, pdns_pebble)


def powerdns_config(cli: CliRunner, pdns: DnsPebble, *, token_line: str) -> None:
    cli.config.write_text(
        f'[dns]\nmethod = "powerdns"\nserver = "{pdns.dns.server}"\ntimeout = 30\n\n'
        f'[dns.powerdns]\npdns_server = "{pdns.dns.api_url}"\n{token_line}'
    )


def test_wildcard_and_apex_through_lexicon_powerdns_token_from_a_0600_file(
    cli: CliRunner, pdns_pebble: DnsPebble, pdns_account: list[str]
) -> None:
    token = cli.workdir / "pdns.token"
    token.write_text(pdns_pebble.dns.api_key + "\n")
    token.chmod(0o600)
    powerdns_config(cli, pdns_pebble, token_line=f'auth_token_file = "{token}"\n')
    names = ["-d", "*.wild.example.test", "-d", "wild.example.test", "--challenge", "dns-01"]
    issued = cli(*pdns_account, "cert", "issue", *names, "--out", "w")
    assert issued.returncode == 0, issued.stderr
    err = issued.stderr
    assert "TXT published in zone example.test (powerdns (dns-lexicon))" in err
    assert f"ns1.example.test at {pdns_pebble.dns.server}: yes" in err
    assert "*.wild.example.test: valid" in err and "\n  wild.example.test: valid" in err
    assert pdns_pebble.dns.txt_records() == []
    renewed = cli(*pdns_account, "cert", "renew", "w/cert.pem", "--force")
    assert renewed.returncode == 0, renewed.stderr
    assert "renewed" in renewed.stdout and "(powerdns (dns-lexicon))" in renewed.stderr
    remembered = (cli.workdir / "w" / "renewal.toml").read_text()
    assert "[challenge.dns]" in remembered and 'method = "powerdns"' in remembered
    assert pdns_pebble.dns.api_key not in remembered
    assert pdns_pebble.dns.txt_records() == []


def test_token_from_lexicon_environment_variable(
    cli: CliRunner, pdns_pebble: DnsPebble, pdns_account: list[str]
) -> None:
    powerdns_config(cli, pdns_pebble, token_line="")
    run = cli(
        *pdns_account,
        "cert",
        "issue",
        "-d",
        "env.example.test",
        "--challenge",
        "dns-01",
        env={"LEXICON_POWERDNS_AUTH_TOKEN": pdns_pebble.dns.api_key},
    )
    assert run.returncode == 0, run.stderr
    assert pdns_pebble.dns.txt_records() == []


def test_wrong_token_is_one_line_naming_provider_and_zone(
    cli: CliRunner, pdns_pebble: DnsPebble, pdns_account: list[str]
) -> None:
    powerdns_config(cli, pdns_pebble, token_line='auth_token = "not-the-api-key"\n')
    run = cli(*pdns_account, "cert", "issue", "-d", "w.example.test", "--challenge", "dns-01")
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "not-the-api-key" not in run.stderr
    assert "zone example.test at powerdns" in run.stderr
    assert pdns_pebble.dns.txt_records() == []


def test_a_provider_lexicon_does_not_have(cli: CliRunner, pdns_account: list[str]) -> None:
    command = "cert issue -d a.example.test --challenge dns-01 --dns nosuchdns"
    run = cli(*pdns_account, *command.split())
    assert run.returncode == 2 and "dns-lexicon has no such provider" in run.stderr


def test_without_the_extra_a_provider_says_how_to_install_it(tmp_path: Path) -> None:
    """A Python where `lexicon` cannot be imported (a path entry that hides it): the message
    names the extra. The real uninstalled case differs only in how the import fails."""
    hider = tmp_path / "hide"
    hider.mkdir()
    (hider / "sitecustomize.py").write_text(
        "import sys\nclass _Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'lexicon' or name.startswith('lexicon.'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Hide())\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "--endpoint",
            "https://127.0.0.1:1/dir",
            "--key",
            "k.pem",
            "cert",
            "issue",
            "-d",
            "a.example.test",
            "--challenge",
            "dns-01",
            "--dns",
            "cloudflare",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(hider), "ACMEDASH_CONFIG": str(tmp_path / "c.toml")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "pip install 'acmedash[dns]'" in run.stderr and "Traceback" not in run.stderr
