"""Issue 10's fault matrix from the CLI: every fault of tests/fault_proxy.py against every
operation, through the real `acmedash` entry point (in-process `run`, so 200 cells fit in the
suite's time) and a REAL Pebble that validates http-01 for real. Pebble cannot fail on demand:
the proxy in front of it (a test stand-in, see its docstring) spoils one request per cell.

Each cell asserts: retried where the RFC allows and then done (exit 0), or one readable line
with the documented exit code (1 the CA, 3 the network; 2 for a directory
that is not one: the URL the user gave), never a traceback or an internal
error; within WALL_BOUND seconds and MEMORY_BOUND_MIB of peak memory; the key, config and
certificate files whole. The outcome goes into the table the session prints."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import (
    ValidatingPebble,
    order_from_the_orders_tab,
    settle,
    validating_pebble,
    wait_for_screen,
)
from tests.fault_matrix import (
    DASHBOARD_RESULTS,
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
from tui.config import load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen


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


@dataclass
class Cell:
    """One cell's world: the proxy in front of the steady Pebble, and the cell's folder (the
    working directory) with its own copy of the start account's key and config."""

    proxy: FaultProxy
    steady: ValidatingPebble
    folder: Path
    key: Path
    config: Path
    key_bytes: bytes


@pytest.fixture
def cell(
    proxy: FaultProxy,
    start: Start,
    steady: ValidatingPebble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Cell:
    key, config = start.copy_to(tmp_path)
    monkeypatch.chdir(tmp_path)
    return Cell(proxy, steady, tmp_path, key, config, key.read_bytes())


def _through(proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request of this process goes through the proxy (acmedash honours HTTPS_PROXY)."""
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "")


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
    cell: Cell,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy, steady, tmp_path = cell.proxy, cell.steady, cell.folder
    _through(proxy, monkeypatch)
    base = [
        "--endpoint", steady.pebble.directory_url, "--ca-bundle", str(proxy.ca_bundle),
        "--config", str(cell.config), "--key", str(cell.key),
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
    assert_files_whole(tmp_path, cell.key_bytes)
    if code == 0 and commands[0][0] == "cert":
        assert (tmp_path / "site" / "cert.pem").exists()


# -- the dashboard: one row per operation ---------------------------------------------------

# The fault each operation meets in the dashboard: the ones that end in an error the dashboard
# must show, one that it must wait out (503) and carry on.
DASHBOARD_CELLS = {
    "directory": "json-array",
    "nonce": "no-nonce",
    "account new": "no-location",
    "account show": "stall",
    "account update": "500",
    "order": "reset-before",
    "authorization": "503-after-secs",
    "challenge": "502-html",
    "finalize": "trickle",
    "download": "huge-body",
    "revoke": "problem-no-type",
}
ISSUING = ("order", "authorization", "challenge", "finalize", "download")


async def _drive(app: AcmeDashApp, pilot: Pilot[None], operation: str, name: str) -> None:
    """Presses what a person would for `operation`, and answers the dialogs it asks."""
    keys = {
        "directory": "d",
        "nonce": "n",
        "account new": "a",
        "account show": "i",
        "account update": "u",
    }
    if operation in keys:
        await pilot.press(keys[operation])
        if operation == "account new":
            await wait_for_screen(pilot, ConfirmScreen)
            await pilot.click("#confirm")
    elif operation in ISSUING:
        await order_from_the_orders_tab(app, pilot, name)
    else:
        await pilot.press("V")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = "site/cert.pem"
        await pilot.press("enter")
        await wait_for_screen(pilot, PromptScreen)
        await pilot.press("enter")  # the reason: unspecified
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
    await asyncio.wait_for(settle(app), WALL_BOUND)


@pytest.mark.parametrize("operation", list(DASHBOARD_CELLS))
async def test_fault_in_the_dashboard(
    operation: str, cell: Cell, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard (Pilot) meets one fault per operation: it shows an error when the CLI
    exits non-zero for the same cell (never an `unexpected` bug), succeeds when the CLI does,
    then still answers a key (n, a new nonce) and has lost no file."""
    fault = DASHBOARD_CELLS[operation]
    proxy, steady, tmp_path, config = cell.proxy, cell.steady, cell.folder, cell.config
    settings = load_settings(config)
    settings.ca_bundle = str(proxy.ca_bundle)
    settings.endpoint = steady.pebble.directory_url
    save_settings(settings, config)
    name = f"{fault}.{operation.replace(' ', '-')}.dash.test"
    if operation == "revoke":  # a certificate to revoke, issued straight at Pebble
        base = ["--ca-bundle", str(steady.pebble.ca_bundle), "--config", str(config)]
        command = [*base, *_argv("download", name, steady.http_port)[0]]
        assert await asyncio.to_thread(run, command) == 0
    _through(proxy, monkeypatch)
    app = AcmeDashApp(
        load_settings(config),
        config_path=config,
        responder_address="127.0.0.1",
        http_port=steady.http_port,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        memory = peak_rss_mib()
        proxy.arm(rule(fault, operation))
        began = time.monotonic()
        await _drive(app, pilot, operation, name)
        seconds = time.monotonic() - began
        errors = [n for n in app._notifications if n.severity == "error"]
        shown = "; ".join(n.message.splitlines()[0] for n in errors)
        DASHBOARD_RESULTS[(fault, operation)] = (
            f"{'error shown' if errors else 'ok'} {seconds:.1f}s"
        )
        assert proxy.hits, f"the fault never hit {operation}: {proxy.seen} {shown}"
        assert bool(errors) == bool(expected(fault, operation)), shown
        assert "unexpected" not in shown, shown
        assert all(len(n.message.splitlines()[0]) < 400 for n in errors)
        assert seconds < WALL_BOUND
        assert peak_rss_mib() - memory < MEMORY_BOUND_MIB
        if operation in ISSUING and not errors:
            assert (tmp_path / "certs" / name / "cert.pem").exists()
        proxy.arm()
        before = len(app.query_one(TrafficList).exchanges)
        app.screen.set_focus(None)  # not the Orders tab's names field, which takes an n
        await pilot.press("n")
        await asyncio.wait_for(settle(app), WALL_BOUND)
        after = app.query_one(TrafficList).exchanges[before:]
        assert any(e.status == 200 for e in after), "the dashboard stopped answering"
    assert_files_whole(tmp_path, cell.key_bytes)
