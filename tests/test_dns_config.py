"""The config's [dns] table: read, checked, written back as it was; the command line on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.acme.errors import InputError
from tui.config import ConfigError, load_settings, parse_settings, save_settings
from tui.dns.method import DnsMethod, from_config, provider_table, with_overrides

TEXT = """
[dns]
method = "rfc2136"
server = "ns1.example.org:5353"
tsig_key = "acme"
tsig_secret_file = "~/acme.key"
timeout = 45

[dns.powerdns]
pdns_server = "http://127.0.0.1:8081"
"""


def test_dns_table_read_and_kept_on_save(tmp_path: Path) -> None:
    settings = parse_settings(TEXT, tmp_path / "c.toml")
    method = from_config(settings.dns)
    assert method == DnsMethod(
        "rfc2136", "ns1.example.org:5353", "acme", "", "~/acme.key", "", 45.0
    )
    assert provider_table(settings.dns, "powerdns") == {"pdns_server": "http://127.0.0.1:8081"}
    assert settings.extra == {}
    save_settings(settings, tmp_path / "saved.toml")
    assert load_settings(tmp_path / "saved.toml").dns == settings.dns
    given = with_overrides(method, server="10.0.0.1", alias=None, timeout=5.0)
    assert (given.server, given.alias, given.timeout) == ("10.0.0.1", "", 5.0)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"timeout": "soon"}, "dns.timeout must be more than 0 and at most 3600 seconds"),
        ({"timeout": 0}, "dns.timeout must be more than 0 and at most 3600 seconds"),
        ({"server": 53}, "dns.server must be a string"),
        ({"tsig_secret": "c2VjcmV0"}, "dns.tsig_secret is not a [dns] key"),
    ],
)
def test_bad_dns_keys_are_named(table: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as caught:
        from_config(table)
    assert message in str(caught.value) and "c2VjcmV0" not in str(caught.value)


def test_dns_that_is_not_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"c\.toml:1:7: dns must be a table"):
        parse_settings('dns = "rfc2136"\n', tmp_path / "c.toml")
