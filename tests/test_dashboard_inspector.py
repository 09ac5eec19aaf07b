"""What the status line, the key bar and `?` tell a new user, driven at 80x24 with Pilot: the
status line names what is shown, stays readable under a notification; the key bar and help
speak in key and pane names, never in widget class names. No network: a sample traffic file."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.conftest import hidden_panes_mounted, wait_for_screen, wait_until
from tui.acme.traffic import read_jsonl
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.main_screen import MainScreen
from tui.dashboard.panels.exchange_detail import SearchBox
from tui.dashboard.panels.filter_box import FilterBox
from tui.dashboard.panels.text_box import TextBox
from tui.dashboard.screens.help import HelpScreen
from tui.dashboard.screens.prompt import PromptScreen

SIZE = (80, 24)
SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"
LOCAL = "https://127.0.0.1:9/dir"  # the discard port: nothing answers, nothing is sent


def _lines(app: AcmeDashApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _inspect() -> AcmeDashApp:
    return AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=read_jsonl(SAMPLE))


async def test_a_notification_leaves_the_status_line_count_readable() -> None:
    app = _inspect()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.notify("Wrote /tmp/acmedash-20261128-040000.jsonl", title="Export")
        await pilot.pause(0.3)
        lines = _lines(app)
        assert lines[-2].rstrip().endswith("4 of 4"), lines[-4:]
        assert any("Wrote" in line for line in lines[:-2]), "the toast is shown, above"


async def test_in_the_filter_box_the_key_bar_offers_no_key_that_types_text() -> None:
    """`/ Filter` was offered in the filter box, where `/` types a slash (Textual's own filter
    misses `slash`); letters and `?` type text there too."""
    app = _inspect()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "/ Filter" in _lines(app)[-1]
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.focused, FilterBox)
        bar = _lines(app)[-1]
        assert "Filter" not in bar and "Export" not in bar and "? more" not in bar, bar
        assert "f1 keys" in bar, bar


async def test_help_speaks_in_key_and_pane_names_not_widget_names() -> None:
    app = _inspect()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert "FilterBox" not in _lines(app)[-2] and "filter box" in _lines(app)[-2]
        await pilot.press("f1")
        await wait_for_screen(pilot, HelpScreen)
        keys = {row[0] for row in app.screen._rows}  # type: ignore[attr-defined]
        assert {"?", "/", "<", "+, ="} <= keys, keys
        assert not keys & {"question_mark", "slash", "less_than_sign"}, keys
        await pilot.press("escape", "escape")
        await pilot.press("7", "question_mark")
        await wait_for_screen(pilot, HelpScreen)
        shown = "\n".join(_lines(app))
        for internal in ("TrafficList", "#traffic-list", "question_mark", "FilterBox"):
            assert internal not in shown, internal
        rows = app.screen._rows  # type: ignore[attr-defined]
        assert ("F", "Follow - Follow new exchanges", "traffic list") in rows


async def test_question_mark_shows_help_at_every_widget_but_a_text_box(tmp_path: Path) -> None:
    """`?` at a focused Select did nothing: the Select claimed it as a letter."""
    app = AcmeDashApp(Settings(endpoint=LOCAL), config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        tried: list[str] = []
        for jump in "12345678":
            await pilot.press(jump)
            await pilot.pause()
            for widget in app.screen.focus_chain:
                if isinstance(widget, Input | TextArea):
                    continue
                widget.focus()
                await pilot.pause()
                await pilot.press("question_mark")
                await wait_for_screen(pilot, HelpScreen)
                tried.append(type(widget).__name__)
                await pilot.press("escape")
                await wait_for_screen(pilot, MainScreen)
        assert "Choice" in tried and "TrafficList" in tried, tried


def _status(app: AcmeDashApp) -> str:
    return str(app.main_screen.status.render())


async def test_the_status_line_names_the_tab_shown_after_a_switch(tmp_path: Path) -> None:
    """Opening a certificate shows the Orders tab's viewer; the status line kept saying
    "Certificates" (it changed on focus changes only), and Left on the tab strip left it one
    tab behind."""
    app = AcmeDashApp(Settings(endpoint=LOCAL), config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        await pilot.press("6")
        await wait_until(pilot, lambda: "6 Certificates" in _status(app), "on Certificates")
        app.main_screen.side.active = "pane-orders"  # what Enter on a certificate does
        await wait_until(pilot, lambda: "5 Orders" in _status(app), _status(app))
        assert app.focused is not None, "focus is not lost with the hidden tab"
        app.main_screen.side.strip.focus()
        await pilot.press("left")
        await wait_until(pilot, lambda: "4 Account" in _status(app), _status(app))


async def _burst(pilot: Pilot[None], *keys: str) -> None:
    """Keys posted without waiting between them, as a terminal's one read delivers them."""
    for key in keys:
        pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause(0.3)


async def test_keys_typed_right_after_a_key_that_moves_focus_land_where_it_moved() -> None:
    """`/` then letters in one read: the letters reached the list before `/` had moved focus
    (Textual runs a binding once its key has bubbled up to the App); after `8` (to the
    detail) or `7` (to the list), the `/` typed with them went to the pane focus was leaving."""
    app = _inspect()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _burst(pilot, "slash", "x", "a")
        assert len(app.screen_stack) == 1, app.screen_stack
        assert app.query_one(FilterBox).value == "xa"
        await _burst(pilot, "escape", "8", "slash", "x")
        search = app.query_one(SearchBox)
        assert app.focused is search and search.value == "x" and len(app.screen_stack) == 1
        await _burst(pilot, "escape", "7", "slash", "y")
        box = app.query_one(FilterBox)
        assert app.focused is box and len(app.screen_stack) == 1


async def test_letters_typed_right_after_a_jump_to_a_left_tab_go_into_its_first_field() -> None:
    """`5` then a name in one read: the tab is shown only at the next refresh, so the letters
    went to the pane focus was leaving, where `e` opened the endpoint picker and `a` the new
    account dialog. They are now held until the tab's first field has focus."""
    app = AcmeDashApp(Settings(), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#traffic-list").focus()
        await pilot.pause()
        await _burst(pilot, "5", "e", "a", "x")
        assert len(app.screen_stack) == 1, app.screen_stack
        names = app.query_one("#order-names", Input)
        assert app.focused is names and names.value == "eax", (app.focused, names.value)


async def test_editing_keys_in_one_read_act_in_order_in_every_text_box() -> None:
    """`exampel`, two backspaces and `le.org` in one read gave `exampelle.o` in the Orders
    tab's names box, `A`, ctrl+u, `B` an empty path box: only the filter and search boxes ran
    their editing keys in order with the characters around them (TextBox); the form fields and
    the dialogs' boxes were Textual's Input, whose backspace ran after the letters behind it.
    Every text box of the workspace is a TextBox now; the names box and a path box are typed
    into here."""
    app = AcmeDashApp(Settings(), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        plain = [box.id for box in app.main_screen.query(Input) if not isinstance(box, TextBox)]
        assert plain == [], plain
        await _burst(pilot, "5")
        await _burst(pilot, *"exampel", "backspace", "backspace", *"le.org")
        names = app.query_one("#order-names", Input)
        assert names.value == "example.org", names.value
        app.query_one("#traffic-list").focus()
        await pilot.pause()
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        box = app.screen.query_one("#value", Input)
        assert isinstance(box, TextBox)
        await _burst(pilot, "A", "ctrl+u", "B", "left", "C")
        assert box.value == "CB", box.value
