"""The dns-01 timeout is finite and 0 < t <= 3600 wherever it comes from (attacker review,
finding 5): nan, inf or 1e308 in the config's [dns] or a renewal.toml's [challenge.dns] was
taken, and a wait for nan seconds never ends. No server is involved: the values are refused
while reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tui.acme.errors import InputError
from tui.config import ConfigError, parse_settings
from tui.dns.method import from_config
from tui.renewal import parse_settings as parse_renewal

HOSTILE = ["nan", "inf", "-inf", "1e308", "3601", "0"]
RENEWAL = """directory = "https://x.example/dir"
account_key = "/k"
[challenge]
challenge = "dns-01"
[challenge.dns]
method = "rfc2136"
timeout = {value}
"""


@pytest.mark.parametrize("value", HOSTILE)
def test_the_config_dns_table_refuses(value: str, tmp_path: Path) -> None:
    settings = parse_settings(
        f'[dns]\nmethod = "rfc2136"\ntimeout = {value}\n', tmp_path / "c.toml"
    )
    with pytest.raises(InputError, match=r"dns\.timeout must be more than 0 and at most 3600"):
        from_config(settings.dns)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_renewal_toml_refuses(value: str, tmp_path: Path) -> None:
    with pytest.raises((ConfigError, InputError), match="timeout") as caught:
        parse_renewal(RENEWAL.format(value=value), tmp_path / "renewal.toml")
    assert "\\n" not in str(caught.value)


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "3601", "0"])
def test_the_command_line_refuses(value: str, cli: CliRunner) -> None:
    run = cli("cert", "issue", "-d", "a.test", "--challenge", "dns-01", "--dns-timeout", value)
    assert run.returncode == 2 and "--dns-timeout" in run.stderr, run.stderr


def test_the_bounds_themselves_are_taken(tmp_path: Path) -> None:
    assert from_config({"timeout": 3600}).timeout == 3600.0
    assert (
        parse_renewal(RENEWAL.format(value="0.5"), tmp_path / "r.toml").challenge.dns.timeout == 0.5
    )
