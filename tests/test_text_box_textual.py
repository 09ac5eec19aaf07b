"""What the in-order keys (tui/dashboard/panels/text_box.py) need of Textual, in a bare App:
`run_bindings` and `forward_key` rest on private Textual calls (no public one does the same),
so a Textual upgrade that changes them fails here by name rather than as keys lost or run
out of order somewhere in the dashboard. No CA is involved: Pebble has no part in this."""

from __future__ import annotations

from textual import events
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget

from tui.dashboard.panels.text_box import HeldKeys, InOrder, forward_key, run_bindings


class _Keys(Widget, can_focus=True):
    """Notes every key handed to it; its `s` is skipped, as a scroll at its end is."""

    BINDINGS = [Binding("s", "skipped")]

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []

    def on_key(self, event: events.Key) -> None:
        self.keys.append(event.key)

    def action_skipped(self) -> None:
        raise SkipAction()


class _Pane(InOrder, Widget, can_focus=True):
    """A pane whose `j` moves focus at once, as `/` moves it to the filter box."""

    BINDINGS = [Binding("j", "jump")]

    def action_jump(self) -> None:
        self.screen.set_focus(self.app.query_one(_Keys))


class _App(HeldKeys, App[None]):
    BINDINGS = [Binding("s", "ran('s')"), Binding("k", "ran('k')")]

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []

    def compose(self) -> ComposeResult:
        yield _Pane()
        yield _Keys()

    def action_ran(self, key: str) -> None:
        self.ran.append(key)


async def test_run_bindings_goes_on_past_a_skipped_action_to_the_next_binding_up() -> None:
    app = _App()
    async with app.run_test() as pilot:
        app.query_one(_Keys).focus()
        await pilot.pause()
        assert await run_bindings(app, "s") and app.ran == ["s"]
        assert not await run_bindings(app, "x"), "an unbound key: not handled"


async def test_forward_key_delivers_once_and_the_binding_runs_once() -> None:
    """Marked forwarded: when it bubbles back up, the App runs its bindings instead of handing
    it to the focused widget again."""
    app = _App()
    async with app.run_test() as pilot:
        keys = app.query_one(_Keys)
        keys.focus()
        await pilot.pause()
        forward_key(keys, events.Key("k", "k"))
        await pilot.pause(0.2)
        assert keys.keys == ["k"] and app.ran == ["k"]


async def test_a_key_read_with_a_focus_move_reaches_the_new_widget_once() -> None:
    """`j` (moves focus) and `k` in one read: InOrder hands `k` on to where focus went. Handed
    on unmarked, it bubbled back up to the App, which handed it to the widget a second time."""
    app = _App()
    async with app.run_test() as pilot:
        app.query_one(_Pane).focus()
        await pilot.pause()
        for key in "jk":
            app.post_message(events.Key(key, key))
        await pilot.pause(0.2)
        assert app.query_one(_Keys).keys == ["k"] and app.ran == ["k"]


def test_held_keys_share_no_state_between_apps() -> None:
    """A mutable class attribute would be one list for every App of the class."""
    shared = [
        name
        for name, value in vars(HeldKeys).items()
        if not name.startswith("__") and isinstance(value, list | dict | set)
    ]
    assert not shared
