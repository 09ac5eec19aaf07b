"""The key bar: what the bottom line of an 80x24 terminal offers is what the keys do there.
Driven with Pilot, no network."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from tests.conftest import hidden_panes_mounted, wait_for_screen
from tui.acme.traffic import read_jsonl
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.screens.endpoint_picker import EndpointPicker
from tui.dashboard.screens.help import HelpScreen
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


async def test_the_cut_key_bar_ends_with_question_mark_for_more() -> None:
    """At 80 columns the workspace's keys do not all fit: the bar ends with `? more` however
    many are cut (it used to end wherever the width ran out)."""
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = _bottom_line(app).rstrip()
        assert bar.endswith("? more"), bar
        assert "Export" not in bar, "nothing is cut at 80 columns any more?"
        assert "d Directory" in bar, bar


async def test_in_a_text_box_the_bar_offers_f1_since_question_mark_is_text() -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")  # Contacts: the list; Tab to its text box
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "contact-input"
        assert _bottom_line(app).rstrip().endswith("f1 keys")
        await pilot.press("question_mark")
        assert app.query_one("#contact-input", Input).value == "?"
        assert len(app.screen_stack) == 1


async def test_question_mark_lists_the_keys_that_act_where_focus_is() -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7", "question_mark")
        await wait_for_screen(pilot, HelpScreen)
        rows = app.screen._rows  # type: ignore[attr-defined]
        assert ("F", "Follow - Follow new exchanges", "traffic list") in rows
        assert any(key == "d" and where == "workspace" for key, _, where in rows)
        assert any(key == "q" and where == "everywhere" for key, _, where in rows)
        await pilot.press("question_mark")  # closes it
        await pilot.press("3", "question_mark")
        await wait_for_screen(pilot, HelpScreen)
        rows = app.screen._rows  # type: ignore[attr-defined]
        assert not any(key == "F" for key, _, _ in rows), "the traffic's keys do not act here"
        assert any(description.startswith("Remove contact") for _, description, _ in rows)


async def test_f1_shows_no_key_for_the_action_a_keymap_took_it_from() -> None:
    """`new_account = "d"` takes d from directory: F1 (the table to remap from), `?` and the
    key bar all say d makes an account and nothing fetches the directory."""
    settings = Settings(endpoint="pebble", keymap={"new_account": "d"})
    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        bar = _bottom_line(app)
        assert "d New acct" in bar and "Directory" not in bar, bar
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        here = {description.split(" - ")[0]: key for key, description, _ in app.screen._rows}
        assert here.get("New acct") == "d" and "Directory" not in here, here
        await pilot.press("escape")
        await pilot.press("f1")
        await wait_for_screen(pilot, HelpScreen)
        every = {binding_id: key for key, _, binding_id in app.screen._rows}
        assert every["new_account"] == "d", every
        assert every["directory"] == "none", every
        assert every["nonce"] == "n", "a key no entry took stays as it was"


async def test_offline_the_orders_form_says_issuing_is_off_not_load_a_key() -> None:
    """newuser7: in `inspect`, names and Enter in the Orders tab said "Load or generate an
    account key first (o / g)", and o and g are off offline: a dead end. It says why instead,
    and the form's hint does too."""
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=read_jsonl(SAMPLE))
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        await pilot.press("5")
        await pilot.pause()
        await pilot.press("x", ".", "t", "e", "s", "t", "enter")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert not any("o / g" in message for message in said), said
        assert any("offline" in message and "issuing" in message for message in said), said
        assert app.main_screen.side.active == "pane-orders", "not sent to the Key tab"
        hint = str(app.query_one("#order-hint", Static).render())
        assert "offline" in hint and "Enter/I issue" not in hint, hint
