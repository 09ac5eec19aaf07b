"""The dashboard's dns-01 flow with the config's [dns] table naming RFC 2136: the dialog offers
it besides "by hand", the Orders panel shows the propagation check server by server, and the
record is gone afterwards. Real BIND 9 and Pebble (conftest.bind_pebble), driven with Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Button

from tests.conftest import (
    DnsPebble,
    account_settings,
    new_account_from_the_dashboard,
    settle,
    wait_for_screen,
    wait_until,
)
from tests.test_app_orders import _order_by_hand
from tests.test_dns_rfc2136 import secret_file
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.orders import OrdersPanel
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.dns_instructions import DnsInstructions
from tui.dashboard.screens.dns_method import AUTOMATIC, DnsMethodScreen

SIZE = (100, 40)


def _app(dns_pebble: DnsPebble, tmp_path: Path, dns: dict[str, object]) -> AcmeDashApp:
    settings = account_settings(dns_pebble.pebble, tmp_path, dns=dns)
    return AcmeDashApp(settings, config_path=tmp_path / "c.toml", responder_address="127.0.0.1")


def _rfc2136_app(bind_pebble: DnsPebble, tmp_path: Path, **more: object) -> AcmeDashApp:
    tsig = secret_file(tmp_path, bind_pebble.dns.key_block())
    dns = {"method": "rfc2136", "server": bind_pebble.dns.server, "tsig_secret_file": str(tsig)}
    return _app(bind_pebble, tmp_path, {**dns, **more})


async def test_dashboard_publishes_through_rfc2136_and_shows_each_server(
    bind_pebble: DnsPebble, tmp_path: Path
) -> None:
    app = _rfc2136_app(bind_pebble, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await _order_by_hand(
            app, pilot, "*.dash.example.test dash.example.test", tmp_path / "w", DnsMethodScreen
        )
        assert app.screen.focused is app.screen.query_one(f"#{AUTOMATIC}", Button)
        await pilot.press("enter")
        await settle(app)
        assert (tmp_path / "w" / "cert.pem").exists()
        lines = app.query_one(OrdersPanel)._lines
        shown = "\n".join(lines)
        assert f"ns1.example.test at {bind_pebble.dns.server}: yes" in shown
        assert "s from publishing to the CA's validation" in shown
        assert "TXT removed from zone example.test" in shown
        assert bind_pebble.dns.secret not in shown
        assert bind_pebble.dns.txt_records("example.test") == []


async def test_ctrl_c_during_the_propagation_wait_removes_the_record(
    bind_pebble: DnsPebble, tmp_path: Path
) -> None:
    """slow.test's second NS host (127.0.0.2) never answers: the dashboard waits, the record
    published at BIND. Ctrl+C asks, Ctrl+C again quits: the record is removed on the way out."""
    app = _rfc2136_app(bind_pebble, tmp_path, timeout=120)
    bind = bind_pebble.dns
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await _order_by_hand(app, pilot, "cc.slow.test", tmp_path / "cc", DnsMethodScreen)
        await pilot.press("enter")
        panel = app.query_one(OrdersPanel)
        await wait_until(
            pilot, lambda: any("not yet" in line for line in panel._lines), "the propagation wait"
        )
        assert bind.txt_records("slow.test") != []
        await pilot.press("ctrl+c")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running, "the dashboard quitting", 30)
    assert bind.txt_records("slow.test") == []
    assert not (tmp_path / "cc" / "cert.pem").exists()


async def test_dashboard_still_offers_by_hand(bind_pebble: DnsPebble, tmp_path: Path) -> None:
    app = _rfc2136_app(bind_pebble, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await _order_by_hand(app, pilot, "hand.example.test", tmp_path / "h", DnsMethodScreen)
        await pilot.click("#by-hand")
        await wait_for_screen(pilot, DnsInstructions)
        await pilot.press("escape")
        await settle(app)
        assert bind_pebble.dns.txt_records("example.test") == []


async def test_dashboard_publishes_through_a_lexicon_provider(
    pdns_pebble: DnsPebble, tmp_path: Path
) -> None:
    """The provider is checked and lexicon loaded on a thread; the token never shows."""
    pdns = pdns_pebble.dns
    provider = {"pdns_server": pdns.api_url, "auth_token": pdns.api_key}
    dns = {"method": "powerdns", "server": pdns.server, "powerdns": provider}
    app = _app(pdns_pebble, tmp_path, dns)
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await _order_by_hand(app, pilot, "lex.example.test", tmp_path / "l", DnsMethodScreen)
        await pilot.press("enter")
        await settle(app)
        assert (tmp_path / "l" / "cert.pem").exists()
        shown = "\n".join(app.query_one(OrdersPanel)._lines)
        assert "TXT published in zone example.test (powerdns (dns-lexicon))" in shown
        assert f"ns1.example.test at {pdns.server}: yes" in shown
        assert pdns.api_key not in shown
        assert pdns.txt_records() == []


class _DialogOnly(App[None]):
    """The dialog alone, over an empty screen: its picture does not change with the workspace."""

    def on_mount(self) -> None:
        self.push_screen(DnsMethodScreen("RFC 2136 at ns1.example.org:53"))


def test_dns_method_dialog_at_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_DialogOnly(), terminal_size=(80, 24))
