"""The dashboard's Certificates tab, driven with Pilot: the store `cert issue` filled, a
days-left bar, renew the selected certificate (really validated by Pebble), renew all due
(none), open one in the certificate viewer."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.conftest import CliRunner, ValidatingPebble, reach, settle, wait_until
from tui.acme.certificates import load_certificate
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.tabs import TabbedPanes


async def test_the_certificates_tab_lists_renews_and_opens(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    args = [*reach(validating.pebble), "--key", "account.pem"]
    assert cli(*args, "account", "new", "--yes").returncode == 0
    http = ["--listen", "127.0.0.1", "--http-port", str(validating.http_port)]
    for name in ("dash-r1.example.test", "dash-r2.example.test"):
        assert cli(*args, "cert", "issue", "-d", name, *http).returncode == 0
    cert = cli.workdir / "certs" / "dash-r2.example.test" / "cert.pem"
    before = load_certificate(cert.read_bytes(), "cert").serial_number
    settings = Settings(
        endpoint=validating.pebble.directory_url,
        ca_bundle=str(validating.pebble.ca_bundle),
        account_key=str(cli.workdir / "account.pem"),
    )
    app = AcmeDashApp(settings, config_path=cli.config)
    async with app.run_test(size=(140, 40)) as pilot:
        app.query_one("#side", TabbedPanes).active = "pane-certificates"
        await wait_until(pilot, lambda: bool(app.query("#certificates-table")), "tab mounted")
        table = app.query_one("#certificates-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, "two certificates listed")
        row = [str(cell) for cell in table.get_row_at(1)]
        assert row[1] == "dash-r2.example.test" and row[0] == ""
        assert row[2].startswith("█" * 10), "a full days-left bar: just issued"
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("r")
        await settle(app)
        notes = [n.message for n in app._notifications]
        after = load_certificate(cert.read_bytes(), "cert").serial_number
        assert after != before, notes
        assert "1 renewed, 0 failed, 0 not due" in notes
        await wait_until(pilot, lambda: "renewed" in str(table.get_row_at(1)[5]), "reloaded")
        await pilot.press("a")
        await settle(app)
        assert "0 renewed, 0 failed, 2 not due" in [n.message for n in app._notifications]
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#side", TabbedPanes).active == "pane-orders"
        await wait_until(pilot, lambda: bool(app.query("#certificate-view")), "viewer mounted")
        shown = str(app.query_one("#certificate-view").content)
        assert str(cert) in shown and f"{after:x}" in shown.replace(":", "").lower()
    assert Path(cli.workdir / "certs" / ".lock").exists()
