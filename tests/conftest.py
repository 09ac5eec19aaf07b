"""Shared fixtures: a real Pebble (Debian's `pebble` package) per test session, and a way to run
the real `acmedash` command. A missing pebble binary fails the tests that need it; it never
skips them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from tests.hostile_acme import HostileAcme
from tests.scripted_ca import ScriptedCa, scripted_ca
from tui.acme import keys
from tui.acme.client import AcmeClient
from tui.config import Settings
from tui.pebble import ChallTestSrv, Pebble, PebbleError, free_port


def _start(
    folder: Path, env: dict[str, str] | None = None, extra_config: dict[str, Any] | None = None
) -> Pebble:
    try:
        return Pebble(folder, env=env or {}, extra_config=extra_config or {}).start()
    except PebbleError as exc:
        pytest.fail(f"cannot start Pebble: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pebble]:
    """Pebble with its default 5% badNonce rejection left on: a free robustness test."""
    server = _start(tmp_path_factory.mktemp("pebble"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def harsh_pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pebble]:
    """Pebble rejecting half of all nonces."""
    server = _start(tmp_path_factory.mktemp("pebble-harsh"), {"PEBBLE_WFE_NONCEREJECT": "50"})
    yield server
    server.stop()


EAB_KID = "kid-1"
EAB_MAC = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"


@pytest.fixture(scope="session")
def eab_pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pebble]:
    """Pebble requiring External Account Binding, with one key id (EAB_KID, EAB_MAC)."""
    server = _start(
        tmp_path_factory.mktemp("pebble-eab"),
        extra_config={
            "externalAccountBindingRequired": True,
            "externalAccountMACKeys": {EAB_KID: EAB_MAC},
        },
    )
    yield server
    server.stop()


@pytest.fixture
def ca() -> Iterator[ScriptedCa]:
    """tests/scripted_ca.py: answers what the test puts at each path (for what Pebble cannot)."""
    with scripted_ca() as server:
        yield server


@pytest.fixture
def hostile() -> Iterator[HostileAcme]:
    """The fake CA that can lie (tests/hostile_acme.py), honest until a test sets a knob."""
    with HostileAcme() as server:
        yield server


@pytest.fixture
async def hostile_client(hostile: HostileAcme) -> AsyncIterator[AcmeClient]:
    """A client with an account at `hostile`."""
    async with AcmeClient(hostile.directory_url, key=keys.generate_key("ec256")) as acme:
        await acme.new_account([], terms_agreed=True)
        yield acme


def issue_by_dns_hook(
    cli: CliRunner, directory_url: str, hook: str, *, new_account: bool = True
) -> subprocess.CompletedProcess[str]:
    """`cert issue -d a.test` by dns-01 with `hook`, under a fresh account key, as a user runs
    it against a (hostile) CA: what the hostile-CA tests start from."""
    from tui.acme import keys

    keys.save_key(keys.generate_key("ec256"), cli.workdir / "account.pem")
    common = ("--endpoint", directory_url, "--key", "account.pem")
    if new_account:
        assert cli(*common, "account", "new", "--yes").returncode == 0
    return cli(
        *common, "cert", "issue", "-d", "a.test", "--challenge", "dns-01", "--dns-hook", hook
    )


def account_settings(pebble: Pebble, folder: Path, **more: Any) -> Settings:
    """Settings pointing at `pebble` with a fresh account key (folder/account.pem) that has
    no account yet: where the dashboard tests start. `more`: other settings."""
    key_path = folder / "account.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    return Settings(
        endpoint=pebble.directory_url,
        ca_bundle=str(pebble.ca_bundle),
        account_key=str(key_path),
        **more,
    )


def http01_options(validating: ValidatingPebble) -> list[str]:
    """`cert issue` options for http-01 answered by acmedash's own responder, on loopback and
    the port where the validating Pebble asks."""
    port = str(validating.http_port)
    return ["--challenge", "http-01", "--listen", "127.0.0.1", "--http-port", port]


def reach(pebble: Pebble) -> list[str]:
    """The global options that point the CLI at a test Pebble."""
    return ["--endpoint", pebble.directory_url, "--ca-bundle", str(pebble.ca_bundle)]


@dataclass
class CliRunner:
    """Runs the real command in a subprocess, so exit codes, stderr and tracebacks are real."""

    workdir: Path
    config: Path

    def __call__(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self._run(args, env, input=stdin)

    def on_a_terminal(self, typed: str, *args: str) -> subprocess.CompletedProcess[str]:
        """With a pseudo-terminal as its stdin, so the command asks; the answers are typed
        ahead (the terminal holds them until the command reads them)."""
        import pty

        controller, terminal = pty.openpty()
        try:
            os.write(controller, typed.encode())
            return self._run(args, None, stdin=terminal)
        finally:
            os.close(controller)
            os.close(terminal)

    def _run(
        self, args: tuple[str, ...], env: dict[str, str] | None, **stdin: Any
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "ACMEDASH_CONFIG": str(self.config), **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "tui", *args],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
            check=False,
            **stdin,
        )


@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    return CliRunner(tmp_path, tmp_path / "config.toml")


@dataclass
class ValidatingPebble:
    """Pebble that really validates: names resolve to 127.0.0.1 through pebble-challtestsrv,
    http-01 goes to `http_port` and tls-alpn-01 to `tls_port`, where the tests run acmedash's
    own responders. Two alternate roots, so every certificate has alternate chains."""

    pebble: Pebble
    dns: ChallTestSrv
    http_port: int
    tls_port: int


@pytest.fixture(scope="session")
def validating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ValidatingPebble]:
    yield from validating_pebble(tmp_path_factory.mktemp("pebble-va"))


def validating_pebble(
    folder: Path, env: dict[str, str] | None = None
) -> Iterator[ValidatingPebble]:
    """A ValidatingPebble for a fixture to yield; `env` adds to Pebble's environment."""
    try:
        dns = ChallTestSrv().start()
    except PebbleError as exc:
        pytest.fail(f"cannot start pebble-challtestsrv: {exc}", pytrace=False)
    http_port, tls_port = free_port(), free_port()
    server = Pebble(
        folder,
        env={"PEBBLE_ALTERNATE_ROOTS": "2", **(env or {})},
        extra_config={"httpPort": http_port, "tlsPort": tls_port},
        dns_server=dns.dns_server,
    )
    try:
        server.start()
    except PebbleError as exc:
        dns.stop()
        pytest.fail(f"cannot start Pebble: {exc}", pytrace=False)
    yield ValidatingPebble(server, dns, http_port, tls_port)
    server.stop()
    dns.stop()


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, timeout: float = 15.0
) -> None:
    """Wait for something that follows network round trips or a lazy mount, which takes
    longer on a loaded machine."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen; on top: {pilot.app.screen!r}")
        await pilot.pause(0.05)


async def hidden_panes_mounted(pilot: Pilot[None]) -> None:
    """The panes mounted after the first paint, each to its last widget. `#order-names` is
    there before the Selects below it have composed: a test that ended in that moment tore
    the Orders form down mid-mount, and Select raised NoMatches (seen once in CI)."""
    app: Any = pilot.app
    await wait_until(pilot, lambda: bool(app.query("#order-names")), "the hidden panes mounted")
    for mounting in app.main_screen.mounting:
        await mounting


async def wait_for_screen(
    pilot: Pilot[None], kind: type[Screen[Any]], timeout: float = 15.0
) -> None:
    await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, kind), f"{kind.__name__} showing", timeout
    )


async def settle(app: App[Any]) -> None:
    """Wait until every worker has finished, pending ones included: a prompt's worker starts
    the network worker as it ends, and that one is still pending when the first is done."""
    while any(not worker.is_finished for worker in app.workers):
        await app.workers.wait_for_complete()
    await app.animator.wait_for_idle()


async def new_account_from_the_dashboard(app: App[Any], pilot: Pilot[None]) -> None:
    """`a`, the terms of service agreed: the account is created (and the App settled)."""
    from tui.dashboard.screens.confirm import ConfirmScreen

    await pilot.press("a")
    await wait_for_screen(pilot, ConfirmScreen)
    await pilot.click("#confirm")
    await settle(app)
    assert getattr(app, "account", None) is not None, "no account was created"


async def fill_the_orders_form(
    app: App[Any], pilot: Pilot[None], *, challenge: str | None = None, **fields: str
) -> None:
    """The Orders tab shown, its challenge chosen and its text fields (`port`, `out`, `names`:
    the field ids without `order-`) set, for a test that then orders by a key (I, R) or Enter."""
    from textual.widgets import Input, Select

    from tui.dashboard.panels.tabs import TabbedPanes

    app.query_one("#side", TabbedPanes).active = "pane-orders"
    await hidden_panes_mounted(pilot)
    if challenge is not None:
        app.query_one("#order-challenge", Select).value = challenge
    for field, value in fields.items():
        app.query_one(f"#order-{field}", Input).value = value


async def order_from_the_orders_tab(
    app: App[Any], pilot: Pilot[None], names: str, *, challenge: str | None = None, **fields: str
) -> None:
    """`names` typed into the Orders tab's names box (the form filled as
    fill_the_orders_form does), then Enter (the issuance starts)."""
    from textual.widgets import Input

    await fill_the_orders_form(app, pilot, challenge=challenge, **fields)
    box = app.query_one("#order-names", Input)
    box.value = names
    box.focus()
    await pilot.press("enter")


@dataclass
class DnsPebble:
    """Pebble validating dns-01 against a real DNS server the tests update (BIND or PowerDNS)."""

    pebble: Pebble
    dns: Any  # tests.dns_servers.Bind or PowerDns


def _dns_pebble(folder: Path, dns: Any) -> Iterator[DnsPebble]:
    """A separate Pebble per DNS server (-dnsserver pointing at it), so other tests keep theirs."""
    try:
        dns.start()
        # No reused authorizations: a renewal publishes its TXT records again, as a test of the
        # remembered DNS method needs (Pebble reuses a valid one half the time by default).
        env = {"PEBBLE_AUTHZREUSE": "0"}
        server = Pebble(folder / "pebble", dns_server=dns.server, env=env).start()
    except PebbleError as exc:
        dns.stop()
        pytest.fail(f"cannot start the dns-01 test servers: {exc}", pytrace=False)
    yield DnsPebble(server, dns)
    server.stop()
    dns.stop()


@pytest.fixture(scope="session")
def bind_pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsPebble]:
    """BIND 9 on a loopback port, authoritative for the test zones, TSIG updates allowed."""
    from tests.dns_servers import Bind

    folder = tmp_path_factory.mktemp("bind")
    yield from _dns_pebble(folder, Bind(folder))


@pytest.fixture(scope="session")
def pdns_pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsPebble]:
    """PowerDNS (sqlite3 backend, HTTP API on loopback) authoritative for example.test."""
    from tests.dns_servers import PowerDns

    folder = tmp_path_factory.mktemp("pdns")
    yield from _dns_pebble(folder, PowerDns(folder))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fault matrix's faults x operations tables, when its tests ran (README shows them)."""
    from tests.fault_matrix import DASHBOARD_RESULTS, RESULTS, table

    for results, title in ((RESULTS, "CLI"), (DASHBOARD_RESULTS, "dashboard")):
        for line in table(results, f"Fault matrix, {title}"):
            terminalreporter.write_line(line)
