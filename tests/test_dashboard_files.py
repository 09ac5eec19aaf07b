"""Where the dashboard puts files the user does not name: `acmedash demo` gives its throwaway
folder (a clone grew a certs/ folder), everything else the current folder. Pilot, mostly no
network (the copy menu's test fetches Pebble's directory);
the certificate itself is covered in test_tmux.py against a validating Pebble."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from tests.conftest import account_settings, wait_for_screen, wait_until
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.screens.copy_part import CopyPartScreen
from tui.dashboard.screens.generate_key import GenerateKeyScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.pebble import Pebble


@pytest.mark.parametrize("throwaway", [True, False])
async def test_default_paths_are_in_the_session_s_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, throwaway: bool
) -> None:
    started_in, demo = tmp_path / "cwd", tmp_path / "demo"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    app = AcmeDashApp(
        Settings(endpoint="https://127.0.0.1:9/dir"),
        config_path=None,
        files_dir=demo if throwaway else None,
    )
    expected = str(demo if throwaway else started_in) + "/"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the (no) key loaded")
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        assert app.screen.query_one(Input).value.startswith(expected)
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the prompt closed")
        await pilot.press("g")
        await wait_for_screen(pilot, GenerateKeyScreen)
        assert app.screen.query_one("#path", Input).value == expected + "account.pem"


async def test_y_offers_the_parts_a_get_has_and_saves_where_x_exports(
    pebble: Pebble, tmp_path: Path
) -> None:
    """The directory GET offered "request body (as sent)", which it has not; and `y s` saved
    into the current folder while `x` wrote into the demo's folder: both go by
    Workspace.place."""
    demo = tmp_path / "demo"
    app = AcmeDashApp(account_settings(pebble, tmp_path), config_path=None, files_dir=demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7", "d")
        await wait_until(pilot, lambda: bool(app.main_screen.traffic.rows), "the directory")
        await pilot.press("8", "y")  # the detail pane's key
        await wait_for_screen(pilot, CopyPartScreen)
        options = app.screen.query_one(OptionList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "request body (as sent)" not in names and "copy as curl" in names, names
        options.highlighted = names.index("response body")
        await pilot.press("s")
        await wait_for_screen(pilot, PromptScreen)
        saved = app.screen.query_one(Input).value
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the prompt closed")
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        exported = app.screen.query_one(Input).value
    assert Path(saved).parent == Path(exported).parent == demo, (saved, exported)
