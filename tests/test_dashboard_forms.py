"""The workspace's forms (issue 11, forms and layout): letters at a list act on the list or do
nothing, every field says what it is, focus stays in view, the contact box says it pushes.
Driven with Pilot; no request is sent (the endpoint is a local URL nothing listens on) unless
a test says otherwise."""

from __future__ import annotations

import string
from pathlib import Path

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Select

from tests.conftest import wait_until
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp

LOCAL = "https://127.0.0.1:9/dir"  # the discard port: nothing answers, nothing is sent


def _app(tmp_path: Path, **settings: object) -> AcmeDashApp:
    return AcmeDashApp(
        Settings(endpoint=LOCAL, **settings),  # type: ignore[arg-type]
        config_path=tmp_path / "config.toml",
    )


async def _all_panes_mounted(app: AcmeDashApp, pilot: Pilot[None]) -> None:
    await wait_until(pilot, lambda: bool(app.query("#order-names")), "the hidden panes mounted")
    await wait_until(pilot, lambda: bool(app.query(DataTable)), "the certificates table mounted")


async def test_letters_at_every_list_and_select_act_on_it_or_do_nothing(tmp_path: Path) -> None:
    """`d` at the Contacts list fetched the directory. For every list, table and select of the
    workspace: no letter is bound anywhere above the list's own panel, and typing the
    screen's command letters there starts no request and opens no dialog."""
    app = _app(tmp_path, contacts=["mailto:a@example.org"])
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        screen = app.main_screen
        lists = [w for w in screen.query("*") if isinstance(w, OptionList | DataTable | Select)]
        assert {w.id for w in lists} >= {"contacts-list", "order-challenge", "order-key-type"}
        assert any(isinstance(w, DataTable) for w in lists)
        for widget in lists:
            pane = next(a for a in widget.ancestors if a.parent is screen.side.switcher)
            screen.side.active = pane.id or ""
            await pilot.pause()
            widget.focus()
            await pilot.pause()
            loud = [
                key
                for key, active in app.screen.active_bindings.items()
                if key in string.ascii_letters
                and (isinstance(active.node, Screen) or active.node is app)
            ]
            assert loud == [], f"{widget.id}: {loud} would run a command"
            await pilot.press("d", "t", "n", "x", "q")
            await pilot.pause()
            assert app.is_running and len(app.screen_stack) == 1, widget.id
            assert not screen.busy and not [w for w in screen.workers if w.group == "acme"]
            assert not list(app._notifications), f"{widget.id}: {list(app._notifications)}"
