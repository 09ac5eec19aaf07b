"""The key bar: what the bottom line of an 80x24 terminal offers is what the keys do there.
Driven with Pilot, no network."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import wait_for_screen
from tui.acme.traffic import read_jsonl
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.screens.endpoint_picker import EndpointPicker
from tui.dashboard.screens.prompt import PromptScreen

SIZE = (80, 24)
SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"


def _bottom_line(app: AcmeDashApp) -> str:
    return app.screen._compositor.render_strips()[-1].text


async def test_a_remapped_key_is_shown_with_its_new_key() -> None:
    settings = Settings(endpoint="pebble", keymap={"new_account": "ctrl+n"})
    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = _bottom_line(app)
        assert "^n New acct" in bar, bar
        assert " a New acct" not in bar, bar


async def test_a_dialog_shows_its_own_keys_not_the_workspace_s() -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Directory" in _bottom_line(app)
        app.push_screen(PromptScreen("A path"))
        await wait_for_screen(pilot, PromptScreen)
        await pilot.pause()
        bar = _bottom_line(app)
        assert "Directory" not in bar and "Stg/Prod" not in bar, bar
        assert "Cancel" in bar, bar


async def test_offline_inspection_offers_no_key_that_would_send_a_request() -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=read_jsonl(SAMPLE))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = _bottom_line(app)
        for offered in ("Directory", "New acct", "Lookup", "Stg/Prod", "Endpoint", "Resend"):
            assert offered not in bar, bar
        assert "Filter" in bar and "Export" in bar, bar
        screen = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "e: choose" not in screen and "d: fetch" not in screen, "nor does the CA tab"
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, EndpointPicker)
        palette = [command.title for command in app.get_system_commands(app.screen)]
        assert not any(title.startswith("Directory") for title in palette), palette
        assert any(title.startswith("Filter") for title in palette), palette


async def test_a_remap_onto_a_key_in_use_says_which_action_lost_its_key() -> None:
    """`directory = "D"` takes deactivate's key: deactivate silently had no key at all."""
    app = AcmeDashApp(Settings(endpoint="pebble", keymap={"directory": "D"}), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j")  # any key: bindings are looked up again
        await pilot.pause()
        told = [n.message for n in app._notifications if "deactivate" in n.message]
        assert len(told) == 1, [n.message for n in app._notifications]
        assert "D" in told[0]
