"""What the traffic inspector's own features look like (pytest-textual-snapshot): marked rows
and two runs in the list, a search highlighted in the detail pane, folded JSON. Hand-made
exchanges and the committed sample, so the pictures depend on neither ports, keys nor clock."""

from __future__ import annotations

import time

import pytest
from textual.pilot import Pilot

from tests.test_dashboard_detail import _nested
from tests.test_dashboard_traffic_list import _traffic
from tui.acme.traffic import Exchange
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.document import Document
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.traffic_list import TrafficList

SIZES = pytest.mark.parametrize(
    "size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"]
)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def _app(exchanges: list[Exchange]) -> AcmeDashApp:
    return AcmeDashApp(Settings(theme="textual-dark"), config_path=None, offline=exchanges)


@SIZES
def test_two_runs_with_marked_rows(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Rows named run:seq, two of them marked (*, bold underlined), the status column in line."""

    async def mark(pilot: Pilot[None]) -> None:
        traffic = pilot.app.query_one(TrafficList)
        traffic.focus()
        await pilot.press("space", "up", "up", "space")
        await pilot.pause()

    assert snap_compare(_app(_traffic(8) + _traffic(8)), terminal_size=size, run_before=mark)


async def _response_tab(pilot: Pilot[None]) -> Document:
    pilot.app.query_one("#exchange-detail TabbedPanes", TabbedPanes).active = "tab-response"
    await pilot.pause()
    document = pilot.app.query_one("#detail-response", Document)
    document.focus()
    await pilot.pause()
    return document


@SIZES
def test_search_in_the_detail(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Every match highlighted, the current one in the accent colour."""

    async def search(pilot: Pilot[None]) -> None:
        await _response_tab(pilot)
        await pilot.press("slash", *"valid", "enter", "n")
        pilot.app.clear_notifications()  # they time out: a loaded machine would drop them
        await pilot.pause()

    assert snap_compare(_app([_nested()]), terminal_size=size, run_before=search)


def test_folded_json(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fold(pilot: Pilot[None]) -> None:
        await _response_tab(pilot)
        await pilot.press("minus", "minus")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app([_nested()]), terminal_size=(80, 24), run_before=fold)
