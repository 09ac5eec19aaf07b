"""Where the dashboard puts files the user does not name: `acmedash demo` gives its throwaway
folder (a clone grew a certs/ folder), everything else the current folder. Pilot, no network;
the certificate itself is covered in test_tmux.py against a validating Pebble."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.conftest import wait_for_screen, wait_until
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.screens.generate_key import GenerateKeyScreen
from tui.dashboard.screens.prompt import PromptScreen


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
