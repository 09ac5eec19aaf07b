"""dns-01 over RFC 2136 when something is wrong, against the real BIND 9 of the BIND fixture:
a wrong TSIG secret, a zone the server does not hold, an unreachable server, a refused update,
a propagation that never completes (a second NS host where nothing answers), and Ctrl+C while
waiting. Each is one clear line naming the server and the zone, the documented exit code, no
traceback, and nothing left published."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time

from tests.conftest import CliRunner, DnsPebble
from tests.test_dns_rfc2136 import account, orders_made, rfc2136, secret_file
from tui.pebble import free_port

__all__ = ["account"]  # the fixture, shared with test_dns_rfc2136


def _one_line_error(run: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("acmedash:")]
    assert len(errors) == 1, run.stderr
    return errors[0]


def test_wrong_tsig_secret(cli: CliRunner, bind_pebble: DnsPebble, account: list[str]) -> None:
    wrong = base64.b64encode(b"not the key of the server, 32 b.").decode()
    key = secret_file(cli.workdir, wrong)
    run = cli(*account, "cert", "issue", "-d", "bad.example.test", *rfc2136(bind_pebble, key))
    assert run.returncode == 2
    error = _one_line_error(run)
    assert "zone example.test" in error and bind_pebble.dns.server in error
    assert "TSIG key" in error and wrong not in run.stderr
    assert bind_pebble.dns.txt_records("example.test") == []


def test_zone_the_server_does_not_hold(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    run = cli(*account, "cert", "issue", "-d", "www.elsewhere.test", *rfc2136(bind_pebble, key))
    assert run.returncode == 2
    error = _one_line_error(run)
    assert bind_pebble.dns.server in error
    assert "not authoritative for any zone holding _acme-challenge.www.elsewhere.test" in error
    assert orders_made(cli) == [], "found before any order"


def test_unreachable_server(cli: CliRunner, bind_pebble: DnsPebble, account: list[str]) -> None:
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    nobody = f"127.0.0.1:{free_port()}"
    args = rfc2136(bind_pebble, key)
    args[args.index(bind_pebble.dns.server)] = nobody
    run = cli(*account, "cert", "issue", "-d", "u.example.test", *args)
    assert run.returncode == 3
    error = _one_line_error(run)
    assert nobody in error and "_acme-challenge.u.example.test" in error
    assert orders_made(cli) == [], "found before any order"


def test_refused_update(cli: CliRunner, bind_pebble: DnsPebble, account: list[str]) -> None:
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    run = cli(*account, "cert", "issue", "-d", "x.locked.test", *rfc2136(bind_pebble, key))
    assert run.returncode == 2
    error = _one_line_error(run)
    assert "zone locked.test" in error and bind_pebble.dns.server in error
    assert "REFUSED" in error
    assert bind_pebble.dns.txt_records("locked.test") == []


def test_propagation_is_bounded_names_the_missing_server_and_cleans_up(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    """slow.test has a second NS host, ns2.slow.test on 127.0.0.2, where nothing answers."""
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    started = time.monotonic()
    run = cli(
        *account,
        "cert",
        "issue",
        "-d",
        "p.slow.test",
        *rfc2136(bind_pebble, key, "--dns-timeout", "3"),
    )
    assert time.monotonic() - started < 30
    assert run.returncode == 3
    error = _one_line_error(run)
    port = bind_pebble.dns.port
    assert f"not answered by ns2.slow.test at 127.0.0.2:{port}" in error
    assert "zone slow.test" in error
    assert (
        f"ns1.slow.test at 127.0.0.1:{port}: yes, ns2.slow.test at 127.0.0.2:{port}: not yet"
        in run.stderr
    )
    assert bind_pebble.dns.txt_records("slow.test") == []


def test_ctrl_c_while_waiting_removes_the_record(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            *account,
            *("cert", "issue", "-d", "c.slow.test"),
            *rfc2136(bind_pebble, key),
        ],
        cwd=cli.workdir,
        env={**os.environ, "ACMEDASH_CONFIG": str(cli.config)},
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not bind_pebble.dns.txt_records("slow.test"):
        assert time.monotonic() < deadline and child.poll() is None, "never published"
        time.sleep(0.1)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert "TXT removed from zone slow.test" in err
    assert bind_pebble.dns.txt_records("slow.test") == []


def test_bad_server_and_alias_refused_before_any_request(
    cli: CliRunner, bind_pebble: DnsPebble, account: list[str]
) -> None:
    key = secret_file(cli.workdir, bind_pebble.dns.secret)
    traffic = cli.workdir / "t.jsonl"
    sent = traffic.read_text()
    for option, value, said in (
        ("--dns-alias", "a..b", "empty label"),
        ("--dns-alias", "192.0.2.1", "give a DNS zone name"),
        ("--dns-server", "127.0.0.1:99999", "port must be a number from 1 to 65535"),
    ):
        args = rfc2136(bind_pebble, key)
        if option == "--dns-server":
            args[args.index(bind_pebble.dns.server)] = value
        else:
            args += [option, value]
        run = cli(*account, "cert", "issue", "-d", "r.example.test", *args)
        assert run.returncode == 2, run.stderr
        assert said in _one_line_error(run)
    assert traffic.read_text() == sent
