"""What the dashboard shows at 80x24, and at 60x20 and 120x40 (pytest-textual-snapshot). The
data is a committed traffic file or made here, so the pictures do not depend on ports, keys or
the clock."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import hidden_panes_mounted, wait_until
from tui.acme import keys
from tui.acme.traffic import read_jsonl
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.traffic_list import TrafficList

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"
SIZE = (80, 24)
OTHER_SIZES = pytest.mark.parametrize("size", [(60, 20), (120, 40)], ids=["60x20", "120x40"])


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def _offline() -> AcmeDashApp:
    return AcmeDashApp(
        Settings(theme="textual-dark"), config_path=None, offline=list(read_jsonl(SAMPLE))
    )


async def _show_problem(pilot: Pilot[None]) -> None:
    app = pilot.app
    traffic = app.query_one(TrafficList)
    traffic.cursor = len(traffic.rows) - 1
    app.query_one("#exchange-detail TabbedPanes", TabbedPanes).active = "tab-response"
    await pilot.pause()


def test_main_screen(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_offline(), terminal_size=SIZE)


@OTHER_SIZES
def test_main_screen_at(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_offline(), terminal_size=size)


def test_problem_document_detail(snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The README's picture."""
    assert snap_compare(_offline(), terminal_size=SIZE, run_before=_show_problem)


@OTHER_SIZES
def test_problem_document_detail_at(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_offline(), terminal_size=size, run_before=_show_problem)


@pytest.mark.parametrize("size", [(60, 20), SIZE, (120, 40)], ids=["60x20", "80x24", "120x40"])
def test_scrolled_traffic_list(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Enough rows to scroll, every kind of status: the status column whole and in line."""
    from tests.test_dashboard_traffic_list import _traffic

    app = AcmeDashApp(Settings(theme="textual-dark"), config_path=None, offline=_traffic())
    assert snap_compare(app, terminal_size=size)


def test_production_confirmation(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key_path = tmp_path / "k.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    os.environ.pop("XDG_DATA_HOME", None)
    app = AcmeDashApp(
        Settings(endpoint="letsencrypt", account_key=str(key_path), theme="textual-dark"),
        config_path=None,
    )

    async def press_new_account(pilot: Pilot[None]) -> None:
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=press_new_account)


def test_orders_tab_with_focus_in_the_names_box(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Reached as people do (shift+Tab twice, Right x4, Tab): the names box shows its focus."""
    app = AcmeDashApp(
        Settings(endpoint="https://127.0.0.1:9/dir", theme="textual-dark"), config_path=None
    )

    async def to_the_names_box(pilot: Pilot[None]) -> None:
        await hidden_panes_mounted(pilot)
        await pilot.press("shift+tab", "shift+tab", "right", "right", "right", "right", "tab")
        await pilot.press(*"demo.example.org")
        names = app.query_one("#order-names", Input)
        await wait_until(
            pilot,
            lambda: app.focused is names and names.value == "demo.example.org",
            "everything typed into the names box",
        )
        names.cursor_blink = False  # a loaded machine let the cursor blink before the capture
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=to_the_names_box)


ALL_SIZES = pytest.mark.parametrize(
    "size", [(60, 20), SIZE, (120, 40)], ids=["60x20", "80x24", "120x40"]
)


@ALL_SIZES
def test_focus_in_the_left_panel_at(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """`2` (the Key tab): the split line and the tab strip in the accent colour, the status
    line naming the pane; at 60 columns the left panel gives way to the traffic."""

    async def to_the_key_tab(pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(_offline(), terminal_size=size, run_before=to_the_key_tab)


@ALL_SIZES
def test_left_panel_hidden_at(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """`z`: the traffic list and the detail take the whole width."""

    async def hide(pilot: Pilot[None]) -> None:
        await pilot.press("z")
        await pilot.pause()

    assert snap_compare(_offline(), terminal_size=size, run_before=hide)


@ALL_SIZES
def test_orders_form_after_an_issuance_reported_at(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """A7: every field labelled, and after the progress and the certificate came in, the names
    box (focused) still on screen."""
    app = AcmeDashApp(
        Settings(endpoint="https://127.0.0.1:9/dir", theme="textual-dark"),
        config_path=None,
        http_port=5002,
        tls_port=5001,
    )

    async def report(pilot: Pilot[None]) -> None:
        await hidden_panes_mounted(pilot)
        await pilot.press("5")
        names = app.query_one("#order-names", Input)
        names.cursor_blink = False
        panel = app.main_screen.orders_panel
        panel.start("Issuing a.example.org")
        for n in range(6):
            panel.add_progress(f"https://127.0.0.1:9/authz/{n}: valid")
        panel.show_certificate({"names": ["a.example.org"], "serial": "01"}, "certs/a")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=report)


@ALL_SIZES
def test_endpoint_picker_at(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Every preset and the URL in use; PRODUCTION reversed in red."""
    from tests.conftest import wait_for_screen
    from tui.dashboard.screens.endpoint_picker import EndpointPicker

    app = AcmeDashApp(
        Settings(endpoint="https://127.0.0.1:9/dir", theme="textual-dark"), config_path=None
    )

    async def pick(pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        app.screen.query_one("#url", Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=pick)
