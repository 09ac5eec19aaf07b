"""dns-01 over RFC 2136 against a real BIND 9 (tests/dns_servers.Bind) that Pebble asks for the
TXT records: `acmedash cert issue|renew` as a user runs them, wildcard and apex, CNAME
delegation, --dns-alias, the config's [dns] table, and the zone clean afterwards."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import CliRunner, DnsPebble, reach


def dns_account(cli: CliRunner, dns_pebble: DnsPebble) -> list[str]:
    """Global options for a fresh account on the Pebble of a DNS fixture."""
    args = [*reach(dns_pebble.pebble), "--key", "account.pem", "--traffic", "t.jsonl"]
    created = cli(*args, "account", "new", "--yes")
    assert created.returncode == 0, created.stderr
    return args


@pytest.fixture
def account(cli: CliRunner, bind_pebble: DnsPebble) -> list[str]:
    return dns_account(cli, bind_pebble)


def orders_made(cli: CliRunner) -> list[str]:
    """The newOrder requests in the traffic record (t.jsonl, written by the `account` options)."""
    lines = (cli.workdir / "t.jsonl").read_text().splitlines()
    exchanges = [json.loads(line) for line in lines]
    directory = next(e for e in exchanges if e["request"]["url"].endswith("/dir"))
    new_order = json.loads(directory["response"]["body"])["newOrder"]
    return [e["request"]["url"] for e in exchanges if e["request"]["url"] == new_order]


def secret_file(folder: Path, text: str, name: str = "tsig.key") -> Path:
    path = folder / name
    path.write_text(text)
    os.chmod(path, 0o600)
    return path


def rfc2136(bind_pebble: DnsPebble, key: Path, *extra: str) -> list[str]:
    return [
        "--challenge",
        "dns-01",
        "--dns",
        "rfc2136",
        "--dns-server",
        bind_pebble.dns.server,
        "--tsig-key",
        "acmedash-test",
        "--tsig-secret-file",
        str(key),
        *extra,
    ]


def test_wildcard_and_apex_issued_and_renewed_over_rfc2136_zone_clean_after(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    bind = bind_pebble.dns
    key = secret_file(cli.workdir, bind.secret + "\n")
    names = ["-d", "*.wild.example.test", "-d", "wild.example.test"]
    issued = cli(*account, "cert", "issue", *names, *rfc2136(bind_pebble, key), "--out", "w")
    assert issued.returncode == 0, issued.stderr
    err = issued.stderr
    assert "_acme-challenge.wild.example.test: TXT published in zone example.test" in err
    assert (
        "on 1/1 authoritative servers" in err and f"ns1.example.test at {bind.server}: yes" in err
    )
    assert "s from publishing to the CA's validation" in err
    assert "*.wild.example.test: valid" in err and "\n  wild.example.test: valid" in err
    assert "TXT removed from zone example.test" in err
    assert bind.txt_records("example.test") == []
    remembered = (cli.workdir / "w" / "renewal.toml").read_text()
    assert "[challenge.dns]" in remembered and 'method = "rfc2136"' in remembered
    assert f'tsig_secret_file = "{key}"' in remembered and bind.secret not in remembered
    # No dns option repeated: renewal.toml's [challenge.dns] publishes the records again.
    renewed = cli(*account, "cert", "renew", "w/cert.pem", "--force")
    assert renewed.returncode == 0, renewed.stderr
    assert "renewed" in renewed.stdout and "TXT published in zone example.test" in renewed.stderr
    assert bind.txt_records("example.test") == []


def test_bind_key_block_file_and_config_table(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    """The `key "NAME" {...};` block tsig-keygen writes names key and algorithm by itself; the
    config's [dns] table holds what the command line would."""
    bind = bind_pebble.dns
    key = secret_file(cli.workdir, bind.key_block())
    cli.config.write_text(
        f'[dns]\nmethod = "rfc2136"\nserver = "{bind.server}"\n'
        f'tsig_secret_file = "{key}"\ntimeout = 30\n'
    )
    issued = cli(*account, "cert", "issue", "-d", "block.example.test", "--challenge", "dns-01")
    assert issued.returncode == 0, issued.stderr
    assert "TXT published in zone example.test (RFC 2136, key acmedash-test)" in issued.stderr
    assert bind.txt_records("example.test") == []


def test_cname_delegation_publishes_at_the_target(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    """_acme-challenge.cname.example.test is a CNAME into alias.test (tests/dns_servers):
    the record lands there and Pebble validates through the CNAME."""
    bind = bind_pebble.dns
    key = secret_file(cli.workdir, bind.secret)
    issued = cli(*account, "cert", "issue", "-d", "cname.example.test", *rfc2136(bind_pebble, key))
    assert issued.returncode == 0, issued.stderr
    assert (
        "_acme-challenge.cname.example.test is a CNAME to _acme-challenge.cname.alias.test"
        in issued.stderr
    )
    assert "TXT published in zone alias.test" in issued.stderr
    assert "cname.example.test: valid" in issued.stderr
    assert bind.txt_records("alias.test") == [] and bind.txt_records("example.test") == []


def test_dns_alias_option_names_the_zone(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    """--dns-alias says where without a CNAME lookup: the record goes to
    _acme-challenge.ZONE (acme.sh's --challenge-alias). Pebble, which follows no alias of
    ours, then finds nothing at the name it asks: the order fails, and the record is removed."""
    bind = bind_pebble.dns
    key = secret_file(cli.workdir, bind.secret)
    run = cli(
        *account,
        "cert",
        "issue",
        "-d",
        "nocname.example.test",
        *rfc2136(bind_pebble, key, "--dns-alias", "alias.test", "--dns-timeout", "10"),
    )
    assert "_acme-challenge.alias.test: TXT published in zone alias.test" in run.stderr
    assert run.returncode == 1, run.stderr
    assert "_acme-challenge.alias.test: TXT removed from zone alias.test" in run.stderr
    assert bind.txt_records("alias.test") == []


def test_without_dns_server_rfc2136_says_what_is_missing(
    cli: CliRunner, account: list[str]
) -> None:
    command = "cert issue -d a.example.test --challenge dns-01 --dns rfc2136"
    run = cli(*account, *command.split())
    assert run.returncode == 2 and "--dns-server HOST[:PORT]" in run.stderr
    assert "Traceback" not in run.stderr


def test_json_result_unchanged(cli: CliRunner, bind_pebble: DnsPebble, account: list[str]) -> None:
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    run = cli(
        *account, "cert", "issue", "-d", "json.example.test", *rfc2136(bind_pebble, key), "--json"
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["names"] == ["json.example.test"]


def test_every_authoritative_server_is_waited_for(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    """two.test has a BIND secondary on [::1] (tests/dns_servers): the record must be on
    both before the CA is asked, and the progress says which one has it."""
    bind = bind_pebble.dns
    key = secret_file(cli.workdir, bind.secret)
    options = rfc2136(bind_pebble, key, "--dns-timeout", "30")
    issued = cli(*account, "cert", "issue", "-d", "a.two.test", *options)
    assert issued.returncode == 0, issued.stderr
    both = (
        "on 2/2 authoritative servers after",
        f"ns1.two.test at 127.0.0.1:{bind.port}: yes, ns2.two.test at [::1]:{bind.port}: yes",
    )
    assert all(text in issued.stderr for text in both), issued.stderr
    assert issued.stderr.index(both[1]) < issued.stderr.index("a.two.test: dns-01 ready")
    assert bind.txt_records("two.test") == []


def test_dns_without_challenge_means_dns01(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    """`--dns rfc2136` alone asks for dns-01 (it was http-01, the default, with the --dns
    options ignored)."""
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    options = rfc2136(bind_pebble, key)[2:]  # without "--challenge dns-01"
    assert "--challenge" not in options
    issued = cli(*account, "cert", "issue", "-d", "implied.example.test", *options)
    assert issued.returncode == 0, issued.stderr
    assert "implied.example.test: dns-01 ready" in issued.stderr
    assert bind_pebble.dns.txt_records("example.test") == []


@pytest.mark.parametrize("option", [["--dns", "rfc2136"], ["--dns-server", "127.0.0.1:53"]])
def test_dns_with_another_challenge_is_an_input_error(
    cli: CliRunner, account: list[str], option: list[str]
) -> None:
    run = cli(*account, "cert", "issue", "-d", "a.example.test", "--challenge", "http-01", *option)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        f"acmedash: {option[0]} publishes a dns-01 record, but --challenge is http-01"
    ]
    assert orders_made(cli) == []
