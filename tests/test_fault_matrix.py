"""Issue 10's fault matrix from the CLI: every fault of tests/fault_proxy.py against every
operation, through the real `acmedash` entry point (in-process `run`, so 200 cells fit in the
suite's time) and a REAL Pebble that validates http-01 for real. Pebble cannot fail on demand:
the proxy in front of it (a test stand-in, see its docstring) spoils one request per cell.

Each cell asserts: retried where the RFC allows and then done (exit 0), or one readable line
with the documented exit code (1 the CA, 3 the network), never a traceback or an internal
error; within WALL_BOUND seconds and MEMORY_BOUND_MIB of peak memory; the key, config and
certificate files whole. The outcome goes into the table the session prints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ValidatingPebble, validating_pebble
from tests.fault_matrix import (
    MEMORY_BOUND_MIB,
    OPERATIONS,
    RESULTS,
    STEADY,
    WALL_BOUND,
    Start,
    assert_files_whole,
    expected,
    outcome,
    peak_rss_mib,
    rule,
    short_timeouts,
)
from tests.fault_proxy import FAULTS, FaultProxy
from tui.cli.command import run


@pytest.fixture(scope="module")
def steady(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ValidatingPebble]:
    """Pebble without its 5% nonce rejection: a spoiled badNonce answer would make a cell's
    outcome a matter of chance."""
    yield from validating_pebble(tmp_path_factory.mktemp("pebble-steady"), STEADY)


@pytest.fixture(scope="module")
def proxy(
    steady: ValidatingPebble, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultProxy]:
    server = FaultProxy(steady.pebble.ca_bundle, tmp_path_factory.mktemp("proxy")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def start(steady: ValidatingPebble, tmp_path_factory: pytest.TempPathFactory) -> Start:
    """One account, made straight at Pebble (no proxy), that every cell copies."""
    start = Start(tmp_path_factory.mktemp("matrix-start"))
    pebble = steady.pebble
    code = run(
        [
            "--endpoint", pebble.directory_url, "--ca-bundle", str(pebble.ca_bundle),
            "--config", str(start.config), "--key", str(start.key),
            "--contact", "mailto:matrix@example.org", "account", "new", "--yes",
        ]
    )  # fmt: skip
    assert code == 0
    short_timeouts(start.config)
    return start


def _argv(operation: str, name: str, http_port: int) -> list[list[str]]:
    """The commands a cell runs; the fault hits the first request of its operation."""
    issue = [
        "cert", "issue", "-d", name, "--challenge", "http-01", "--listen", "127.0.0.1",
        "--http-port", str(http_port), "--out", "site",
    ]  # fmt: skip
    if operation == "directory":
        return [["directory", "--json"]]
    if operation in ("nonce", "account show"):
        return [["account", "show", "--json"]]
    if operation == "account new":
        return [["account", "new", "--yes", "--json"]]
    if operation == "account update":
        return [["account", "update", "--contact", "mailto:changed@example.org", "--json"]]
    if operation == "revoke":
        return [issue, ["cert", "revoke", "site/cert.pem", "--reason", "superseded"]]
    return [issue]


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_from_the_cli(
    fault: str,
    operation: str,
    *,
    proxy: FaultProxy,
    start: Start,
    steady: ValidatingPebble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key, config = start.copy_to(tmp_path)
    key_bytes = key.read_bytes()
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "")
    monkeypatch.chdir(tmp_path)
    base = [
        "--endpoint", steady.pebble.directory_url, "--ca-bundle", str(proxy.ca_bundle),
        "--config", str(config), "--key", str(key),
    ]  # fmt: skip
    commands = _argv(
        operation, f"{fault}.{operation.replace(' ', '-')}.matrix.test", steady.http_port
    )
    memory = peak_rss_mib()
    proxy.arm(rule(fault, operation))
    began = time.monotonic()
    code = 0
    for command in commands:
        code = run([*base, *command])
        if code:
            break
    seconds = time.monotonic() - began
    err = capsys.readouterr().err
    RESULTS[(fault, operation)] = outcome(code, seconds)
    assert proxy.hits, f"the fault never hit {operation}: {proxy.seen}"
    assert code == expected(fault, operation), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code:
        said = [line for line in err.splitlines() if line.startswith("acmedash: ")]
        assert len(said) == 1 and len(said[0]) < 400, err
    assert seconds < WALL_BOUND
    assert peak_rss_mib() - memory < MEMORY_BOUND_MIB
    assert_files_whole(tmp_path, key_bytes)
