"""The dashboard's renewal, driven with Pilot: the Certificates tab over the store `cert issue`
filled (renew the selected one, all due, open one), R renewing with what renewal.toml
remembers (as `cert renew CERT`), failures named, a revocation marked, and `acmedash demo` kept
to its throwaway folder. Certificates are issued and renewed by a Pebble that really validates;
the tab's pictures use self-signed certificates made here and a fixed clock, so that they do
not change from run to run (no CA is asked for anything there)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.certs_for_tests import make_certificate
from tests.conftest import (
    CliRunner,
    ValidatingPebble,
    fill_the_orders_form,
    new_account_from_the_dashboard,
    order_from_the_orders_tab,
    reach,
    settle,
    wait_for_screen,
    wait_until,
)
from tui.acme import keys
from tui.acme.certificates import load_certificate
from tui.cli.dashboard import demo_world
from tui.config import Settings, load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.pebble import Pebble
from tui.renewal import RenewalSettings, Status, save_status
from tui.renewal import load_settings as load_renewal
from tui.renewal import save_settings as save_renewal
from tui.renewal_due import iso
from tui.workflow import SolverChoice

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _stored(
    store: Path,
    name: str,
    age_days: int,
    *,
    directory: str = "https://ca.invalid/dir",
    challenge: SolverChoice | None = None,
    status: Status | None = None,
) -> Path:
    """A managed folder (cert.pem and renewal.toml) holding a self-signed 90-day
    certificate for `name`, issued `age_days` before NOW."""
    san = x509.SubjectAlternativeName([x509.DNSName(name)])
    certificate = make_certificate(name, san, start=NOW - timedelta(days=age_days), days=90)
    folder = store / name
    folder.mkdir(parents=True)
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    save_renewal(
        folder,
        RenewalSettings(directory, "/nonexistent/account.pem", [name], challenge or SolverChoice()),
    )
    if status is not None:
        save_status(folder, status)
    return folder


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _issued_by_cli(cli: CliRunner, validating: ValidatingPebble, *names: str) -> list[str]:
    """An account and a certificate per name from `cert issue` (http-01 on the test's
    responder, as renewal.toml then remembers it); the global options that reach Pebble."""
    args = [*reach(validating.pebble), "--key", "account.pem"]
    assert cli(*args, "account", "new", "--yes").returncode == 0
    http = ["--listen", "127.0.0.1", "--http-port", str(validating.http_port)]
    for name in names:
        assert cli(*args, "cert", "issue", "-d", name, *http).returncode == 0
    return args


def _dashboard(cli: CliRunner, validating: ValidatingPebble) -> AcmeDashApp:
    """The dashboard on the CLI's config, key and store; its responder left at 0.0.0.0:80."""
    settings = Settings(
        endpoint=validating.pebble.directory_url,
        ca_bundle=str(validating.pebble.ca_bundle),
        account_key=str(cli.workdir / "account.pem"),
    )
    return AcmeDashApp(settings, config_path=cli.config)


def _store_dashboard(pebble: Pebble, tmp_path: Path, store: Path) -> AcmeDashApp:
    """The dashboard on Pebble with a fresh account key (tmp_path/account.pem, no account
    yet) and `store` as its certificate store."""
    key_path = tmp_path / "account.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    settings = Settings(
        endpoint=pebble.directory_url,
        ca_bundle=str(pebble.ca_bundle),
        account_key=str(key_path),
        certs_dir=str(store),
    )
    return AcmeDashApp(settings, config_path=tmp_path / "config.toml")


def _notes(app: AcmeDashApp) -> str:
    return "\n".join(n.message for n in app._notifications)


async def issue_from_the_orders_tab(app: AcmeDashApp, pilot: Pilot[None], name: str) -> None:
    """A new account (a, confirmed), then `name` issued from the Orders tab."""
    await new_account_from_the_dashboard(app, pilot)
    await order_from_the_orders_tab(app, pilot, name)
    await settle(app)


async def _certificates_tab(app: AcmeDashApp, pilot: Pilot[None], rows: int) -> DataTable[object]:
    app.query_one("#side", TabbedPanes).active = "pane-certificates"
    await wait_until(pilot, lambda: bool(app.query("#certificates-table")), "tab mounted")
    table = app.query_one("#certificates-table", DataTable)
    await wait_until(pilot, lambda: table.row_count == rows, f"{rows} certificates listed")
    return table


def _cells(table: DataTable[object], row: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(row)]


def _detail(app: AcmeDashApp) -> str:
    return str(app.query_one("#certificate-detail", Static).content)


async def test_the_certificates_tab_lists_renews_and_opens(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    _issued_by_cli(cli, validating, "dash-r1.example.test", "dash-r2.example.test")
    cert = cli.workdir / "certs" / "dash-r2.example.test" / "cert.pem"
    before = load_certificate(cert.read_bytes(), "cert").serial_number
    app = _dashboard(cli, validating)
    async with app.run_test(size=(140, 40)) as pilot:
        table = await _certificates_tab(app, pilot, 2)
        row = _cells(table, 1)
        days = app.main_screen.certificates_panel.rows[1].days_left
        assert row == ["", "dash-r2.example.test", f"{days:.0f}"], "36 columns: state, name, days"
        table.focus()
        table.move_cursor(row=1)
        await pilot.pause()
        assert "dash-r2.example.test" in _detail(app) and "next renewal" in _detail(app)
        await pilot.press("r")
        await settle(app)
        notes = [n.message for n in app._notifications]
        after = load_certificate(cert.read_bytes(), "cert").serial_number
        assert after != before, notes
        assert "1 renewed, 0 failed, 0 not due" in notes
        said = {n.message: n.title for n in app._notifications}
        assert said["1 renewed, 0 failed, 0 not due"] == "Renew dash-r2.example.test"
        await wait_until(pilot, lambda: "last renewal renewed" in _detail(app), "reloaded")
        await pilot.press("a")
        await settle(app)
        said = {n.message: n.title for n in app._notifications}
        assert said["0 renewed, 0 failed, 2 not due"] == "Renew certificates"
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#side", TabbedPanes).active == "pane-orders"
        await wait_until(pilot, lambda: bool(app.query("#certificate-view")), "viewer mounted")
        shown = str(app.query_one("#certificate-view", Static).content)
        assert str(cert) in shown and f"{after:x}" in shown.replace(":", "").lower()
    assert Path(cli.workdir / "certs" / ".lock").exists()


async def test_R_renews_as_remembered_and_a_revocation_is_marked(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """A5: R used the Orders form's challenge and port, not what renewal.toml remembers (here
    http-01 on 127.0.0.1 and the test's port; the form says tls-alpn-01 on port 1, and the
    dashboard's responder is left at its 0.0.0.0:80 default). Then (item 5) a revocation is
    marked in the Certificates tab (due now), in the certificate viewer and in `cert list`."""
    name = "dash-remembered.example.test"
    args = _issued_by_cli(cli, validating, name)
    cert = cli.workdir / "certs" / name / "cert.pem"
    before = load_certificate(cert.read_bytes(), "cert").serial_number
    app = _dashboard(cli, validating)
    async with app.run_test(size=(100, 40)) as pilot:
        table = await _certificates_tab(app, pilot, 1)
        await fill_the_orders_form(app, pilot, challenge="tls-alpn-01", port="1")
        app.query_one("#traffic-list").focus()
        await pilot.press("R")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = name  # by name, as `cert renew NAME`
        await pilot.press("enter")
        await settle(app)
        renewed = load_certificate(cert.read_bytes(), "cert").serial_number
        assert renewed != before, _notes(app)
        assert "1 renewed, 0 failed, 0 not due" in _notes(app)
        assert app.last_certificate == cert
        shown = str(app.query_one("#certificate-view", Static).content).replace(":", "").lower()
        assert f"{renewed:x}" in shown, "the viewer shows the new certificate"
        remembered = (cert.parent / "renewal.toml").read_text()
        assert f"http_port = {validating.http_port}" in remembered, "renewal.toml unchanged"

        await pilot.press("V")
        await wait_for_screen(pilot, PromptScreen)
        await pilot.press("enter")  # the last certificate: the renewed one
        await wait_for_screen(pilot, PromptScreen)
        await pilot.press("enter")  # reason: unspecified
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
        await settle(app)
        assert "REVOKED" in str(app.query_one("#certificate-view", Static).content)
        app.query_one("#side", TabbedPanes).active = "pane-certificates"
        await wait_until(pilot, lambda: _cells(table, 0)[0] == "REV", "marked revoked")
        assert "REVOKED (unspecified)" in _detail(app)
        assert "due now: revoked" in _detail(app), "not left until two thirds of its life"
    listed = cli(*args, "cert", "list", "--json")
    assert json.loads(listed.stdout)[0]["revoked"] == "unspecified", listed.stderr


async def _opened_in_the_orders_tab(app: AcmeDashApp, pilot: Pilot[None]) -> DataTable[object]:
    """The store's one certificate opened (Enter in the Certificates tab) in the Orders tab's
    viewer; the Certificates table."""
    table = await _certificates_tab(app, pilot, 1)
    table.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: bool(app.query("#certificate-view")), "viewer mounted")
    return table


async def test_a_revocation_from_the_orders_tab_shows_rev_without_a_reload(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """Revoked from the Orders tab (V, the certificate last shown): the reload it starts
    came while the Certificates tab was hidden, with no width to lay the table out at, and
    the table waited for a Resize that Textual does not always send when the tab comes back
    at the same size: REV only after `l`. The table is up to date while hidden."""
    name = "dash-revoked.example.test"
    _issued_by_cli(cli, validating, name)
    app = _dashboard(cli, validating)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _opened_in_the_orders_tab(app, pilot)
        assert app.query_one("#side", TabbedPanes).active == "pane-orders"
        app.query_one("#traffic-list").focus()
        await pilot.press("V")
        await wait_for_screen(pilot, PromptScreen)
        await pilot.press("enter")  # the certificate the viewer shows
        await wait_for_screen(pilot, PromptScreen)
        await pilot.press("enter")  # reason: unspecified
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
        await settle(app)
        await wait_until(pilot, lambda: _cells(table, 0)[0] == "REV", "marked while hidden")
        app.query_one("#side", TabbedPanes).active = "pane-certificates"
        await pilot.pause()
        assert _cells(table, 0)[0] == "REV"


async def test_the_certificate_shown_in_the_orders_tab_is_reached_and_scrolled_by_keys(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """At 80x24 the certificate under the Orders form is longer than the tab: it took no
    focus, so no key could bring its last lines into view."""
    _issued_by_cli(cli, validating, "dash-viewed.example.test")
    app = _dashboard(cli, validating)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened_in_the_orders_tab(app, pilot)
        app.query_one("#order-out", Input).focus()
        await pilot.press("tab")  # the progress log is empty: no stop there
        viewer = app.query_one("#certificate-view", Static)
        assert app.focused is viewer
        await pilot.press("end")
        await pilot.pause()
        panel = app.query_one("#orders-panel")
        assert panel.max_scroll_y > 0 and panel.scroll_y == panel.max_scroll_y
        assert viewer.region.bottom <= panel.region.bottom, "its last line in view"


def test_cert_revoke_marks_it_for_cert_list(cli: CliRunner, validating: ValidatingPebble) -> None:
    """The same mark from the command line: `cert list` (and the dashboard) show it revoked."""
    args = _issued_by_cli(cli, validating, "cli-revoked.example.test")
    cert = cli.workdir / "certs" / "cli-revoked.example.test" / "cert.pem"
    revoked = cli(*args, "cert", "revoke", str(cert), "--reason", "superseded")
    assert revoked.returncode == 0, revoked.stderr
    listed = cli(*args, "cert", "list")
    assert listed.stdout.startswith("REV cli-revoked.example.test"), listed.stdout
    records = json.loads(cli(*args, "cert", "list", "--json").stdout)
    assert records[0]["revoked"] == "superseded"


async def test_a_failed_renewal_says_which_certificate_and_why(
    pebble: Pebble, tmp_path: Path
) -> None:
    """A6: the tab said "0 renewed, 1 failed" and nothing more. Remembered here: dns-01 with no
    way to publish the record, so the renewal fails before any order (Pebble is asked for the
    account and ARI only)."""
    store = tmp_path / "certs"
    name = "no-dns-hook.example.test"
    _stored(store, name, 80, directory=pebble.directory_url, challenge=SolverChoice("dns-01"))
    app = _store_dashboard(pebble, tmp_path, store)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _certificates_tab(app, pilot, 1)
        assert _cells(table, 0)[0] == "DUE"
        table.focus()
        await pilot.press("r")
        await settle(app)
        failed = [n for n in app._notifications if n.title == "Renewal failed"]
        assert [n.message.split(":")[0] for n in failed] == [name], _notes(app)
        assert "dns-01 needs a way to publish the TXT record" in failed[0].message
        await wait_until(pilot, lambda: _cells(table, 0)[0] == "ERR", "marked failed")
        assert "last renewal failed" in _detail(app)
        assert "dns-01 needs a way to publish" in _detail(app)


# -- what the tab looks like: one fine, one due, one whose renewal failed --------------------


@pytest.fixture
def three_certificates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AcmeDashApp:
    """The store at ~/certs (HOME is the test's folder, so the path shown is the same in
    every run), no account key, nothing sent to any CA; the tab's clock fixed at NOW."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = tmp_path / "certs"
    _stored(store, "a-fine.example.test", 10)
    _stored(store, "b-due.example.test", 70)
    failed = Status(
        last_attempt=iso(NOW - timedelta(hours=3)),
        last_result="failed",
        last_error="http-01: cannot listen on 0.0.0.0:80 (Address already in use)",
    )
    _stored(store, "c-failed.example.test", 75, status=failed)
    app = AcmeDashApp(Settings(theme="textual-dark", certs_dir=str(store)), config_path=None)
    app.main_screen.certificates_panel.clock = lambda: NOW
    return app


async def _on_the_failed_one(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, AcmeDashApp)
    table = await _certificates_tab(app, pilot, 3)
    table.focus()
    table.move_cursor(row=2)
    await pilot.pause()
    await wait_until(pilot, lambda: "Address already in use" in _detail(app), "the detail")


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"])
def test_certificates_tab_at(
    snap_compare: Any, three_certificates: AcmeDashApp, size: tuple[int, int]
) -> None:
    assert snap_compare(three_certificates, terminal_size=size, run_before=_on_the_failed_one)


async def test_every_column_shown_is_whole(three_certificates: AcmeDashApp) -> None:
    """A6: at 80x24 the table was cut (the tab is 36 columns wide there). Each column shown
    now fits whole, the name and the state always; at 60x20 the optional ones go first."""
    from tui.dashboard.panels.certificates_table import BAR

    shown: dict[tuple[int, int], list[list[str]]] = {}
    for size in ((60, 20), (80, 24), (120, 40)):
        async with three_certificates.run_test(size=size) as pilot:
            await _on_the_failed_one(pilot)
            table = three_certificates.query_one("#certificates-table", DataTable)
            shown[size] = [_cells(table, row) for row in range(3)]
            assert table.virtual_size.width <= table.scrollable_content_region.width, size
            for column in table.columns.values():
                widest = max(len(str(cell)) for cell in table.get_column(column.key))
                assert widest <= column.width, (size, column.label)
        three_certificates = AcmeDashApp(three_certificates.settings, config_path=None)
        three_certificates.main_screen.certificates_panel.clock = lambda: NOW
    assert shown[(80, 24)] == [
        ["", "a-fine.example.test", "80"],
        ["DUE", "b-due.example.test", "20"],
        ["ERR", "c-failed.example.test", "15"],
    ]
    assert shown[(60, 20)][2] == ["ERR", "c-failed.exam…"]
    assert not any("█" * BAR in cell for row in shown[(80, 24)] for cell in row)


@pytest.mark.parametrize("size", [(40, 16), (60, 20), (80, 24), (120, 40)])
async def test_no_sideways_scrollbar_and_each_key_whole(
    three_certificates: AcmeDashApp, size: tuple[int, int]
) -> None:
    """User review 5: a cut horizontal scrollbar thumb under a squeezed table, and the keys
    under it broken inside one ("l" at the end of a line, "reload" on the next)."""
    from tui.dashboard.panels.certificates import KEYS, CertificatesPanel

    async with three_certificates.run_test(size=size) as pilot:
        await _on_the_failed_one(pilot)
        table = three_certificates.query_one("#certificates-table")
        assert not table.show_horizontal_scrollbar, size
        panel = three_certificates.query_one(CertificatesPanel)
        strips = three_certificates.screen._compositor.render_strips()
        left = panel.region.x, panel.region.right
        lines = ["".join(s.text for s in strip)[left[0] : left[1]] for strip in strips]
        under = three_certificates.query_one("#certificate-keys").region
        keys = [line.strip() for line in lines[under.y : under.bottom]]
        for key in KEYS:
            assert any(key in line.split("  ") for line in keys), (size, key, keys)


# -- acmedash demo: its own store, registry and config; its folder kept when used -------------


async def test_the_demo_keeps_to_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A2: the demo listed the user's store in its Certificates tab and registered its
    certificates in the user's elsewhere.toml. A13: K wrote the new key into the folder the
    demo was started from. Now nothing under the user's XDG folders changes, the tab lists
    the demo's certificate only, the new key lands beside the demo's key (0600), and the
    folder is kept at exit, with its path said, because the user saved files there."""
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("ACMEDASH_CONFIG", raising=False)
    real_store = home / "data" / "acmedash" / "certs"
    _stored(real_store, "real.example.test", 80)
    (real_store / "elsewhere.toml").write_text('folders = ["/srv/site"]\n')
    config = home / "config" / "acmedash" / "config.toml"
    save_settings(Settings(theme="textual-light", deploy_hook="/bin/false"), config)
    before = _tree(home)
    started_in = tmp_path / "cwd"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    said: list[str] = []

    with demo_world(load_settings(config), said.append) as (settings, options):
        folder = options["files_dir"]
        app = AcmeDashApp(settings, **options)
        async with app.run_test(size=(100, 40)) as pilot:
            assert app.theme == "textual-light", "the look is the user's"
            await issue_from_the_orders_tab(app, pilot, "demo.example.test")
            assert (folder / "certs" / "demo.example.test" / "cert.pem").exists(), _notes(app)
            table = await _certificates_tab(app, pilot, 1)
            assert _cells(table, 0)[1] == "demo.example.test"

            app.query_one("#traffic-list").focus()
            await pilot.press("K")
            await wait_for_screen(pilot, PromptScreen)
            prompt = app.screen.query_one(Input)
            assert prompt.value == str(folder / "account-next.pem")
            prompt.value = "rolled.pem"
            await pilot.press("enter")
            await settle(app)
            assert app.key_path == folder / "rolled.pem", _notes(app)
            remembered = load_renewal(folder / "certs" / "demo.example.test")
            assert remembered is not None
            assert remembered.account_key == str(folder / "rolled.pem"), "renewals follow K"
    assert stat.S_IMODE((folder / "rolled.pem").stat().st_mode) == 0o600
    assert _tree(home) == before, "the user's config, store and registry are untouched"
    assert list(started_in.iterdir()) == []
    assert said == [
        f"acmedash demo: kept its folder {folder}: you saved certs/demo.example.test, rolled.pem "
        "there; delete it when done"
    ]
    shutil.rmtree(folder)


def test_a_demo_where_nothing_was_saved_removes_its_folder_and_says_so() -> None:
    said: list[str] = []
    with demo_world(Settings(), said.append) as (_settings, options):
        folder = options["files_dir"]
        assert os.listdir(folder)
    assert not folder.exists()
    assert said == [f"acmedash demo: removed its folder {folder} (nothing was saved there)"]


async def test_renew_all_reports_a_folder_it_cannot_renew_and_goes_on(
    pebble: Pebble, tmp_path: Path
) -> None:
    """A folder without renewal.toml whose certificate names what no order can hold: its
    defaults cannot be made. `cert renew --all` reported that certificate and went on; the
    dashboard's renew-all failed whole. One function (renew_run.jobs_for) now builds the
    jobs for both, with one message for such a folder. Nothing is due, so Pebble is asked
    for the account only."""
    store = tmp_path / "certs"
    _stored(store, "fine.example.test", 10, directory=pebble.directory_url)
    odd = _stored(store, "bad_name!", 10)
    (odd / "renewal.toml").unlink()
    (odd / "current").symlink_to("archive/1")  # managed without renewal.toml (issued before)
    app = _store_dashboard(pebble, tmp_path, store)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _certificates_tab(app, pilot, 2)
        table.focus()
        await pilot.press("a")
        await settle(app)
        failed = [n for n in app._notifications if n.title == "Renewal failed"]
        assert [n.message.split(":")[0] for n in failed] == ["bad_name!"], _notes(app)
        assert "0 renewed, 1 failed, 1 not due" in _notes(app)


async def test_the_dashboard_rollover_moves_the_renewals_to_the_new_key(
    pebble: Pebble, tmp_path: Path
) -> None:
    """K and `account rollover` follow a rollover through one function
    (key_rollover.rollover): the renewal.toml naming the old key at this CA names the new
    one, the one naming another CA is left alone."""
    store = tmp_path / "certs"
    app = _store_dashboard(pebble, tmp_path, store)
    key_path = str(tmp_path / "account.pem")
    here = _stored(store, "here.example.test", 10)
    save_renewal(here, RenewalSettings(pebble.directory_url, key_path, ["here.example.test"]))
    there = _stored(store, "there.example.test", 10)
    save_renewal(there, RenewalSettings("https://ca.invalid/dir", key_path, ["there.test"]))
    untouched = (there / "renewal.toml").read_bytes()
    new_key = tmp_path / "next.pem"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
        await settle(app)
        await pilot.press("K")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = str(new_key)
        await pilot.press("enter")
        await settle(app)
        assert "1 certificate will renew with it" in _notes(app), _notes(app)
    remembered = load_renewal(here)
    assert remembered is not None and remembered.account_key == str(new_key)
    assert (there / "renewal.toml").read_bytes() == untouched


async def test_V_on_the_certificates_tab_revokes_the_selected_certificate(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """newuser7: `V` on the Certificates tab asked for a path (or did nothing), and the tab's
    hints did not offer it. It revokes the selected certificate as the Orders tab's V does:
    reason, confirmation (Cancel by default), then REV in the table."""
    names = ("tab-kept.example.test", "tab-revoked.example.test")
    _issued_by_cli(cli, validating, *names)
    app = _dashboard(cli, validating)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _certificates_tab(app, pilot, 2)
        assert "V revoke" in str(app.query_one("#certificate-keys", Static).content)
        rows = app.main_screen.certificates_panel.rows
        row = next(i for i, listed in enumerate(rows) if listed.folder.name == names[1])
        table.focus()
        table.move_cursor(row=row)
        await pilot.pause()
        await pilot.press("V")
        await wait_for_screen(pilot, PromptScreen)
        assert app.screen.query_one(Input).value == "unspecified", "a reason, no path asked"
        await pilot.press("enter")  # reason: unspecified
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
        await settle(app)
        await wait_until(pilot, lambda: _cells(table, row)[0] == "REV", "marked revoked")
        assert _cells(table, 1 - row)[0] != "REV", "only the selected one"
        assert "REVOKED (unspecified)" in _detail(app)
