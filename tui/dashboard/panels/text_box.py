"""Keys that act in the order they were typed, in the panes where that went wrong.

Textual hands each key to the widget focused when the key is read, and runs a binding only
once the key has bubbled up to the App through each parent's queue, while the keys after it
go straight to the widget. Keys arriving in one read (fast typing, an SSH link delivering
keys together, tmux send-keys) were handled out of order: `abc`, ctrl+u, `def` ran ctrl+u
after `def` and wiped it; `/xa` sent `x` and `a` to the traffic list (`x`: export) before
`/` had moved focus to the filter box; `8/` searched the list instead of the detail.

InOrder runs the bindings of a key in the widget's own queue, before the next key, and
passes a key that arrives once focus has left on to where focus went. The actions that move
focus set it at once (Screen.set_focus, not Widget.focus, which waits for the keys already
read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget
    from textual.widget import Widget as _Pane
else:
    _Pane = object  # a mixin: as a Widget base it hid Input's own component classes


class InOrder(_Pane):
    async def _on_key(self, event: events.Key) -> None:
        app = self.app
        if isinstance(app, HeldKeys) and app.holds(event, handed_back=True):
            event.stop()
            event.prevent_default()
            return
        focused = self.screen.focused
        if focused is not None and focused is not self and not self.has_focus_within:
            event.stop()
            event.prevent_default()
            forward_key(focused, event)
            return
        if self.check_consume_key(event.key, event.character):
            return  # text for a text box (Input's handler types it)
        if await run_bindings(self.app, event.key):
            event.stop()
            event.prevent_default()


async def run_bindings(app: App[Any], key: str) -> bool:
    """The key's bindings (not the priority ones: the App ran those before handing the key
    out), from the focused widget up, as Textual runs them once the key has bubbled up to the
    App. Textual (8.2) has no public call for this. `Screen.active_bindings` with
    `App.run_action` keeps one binding a key, so a key whose first action is skipped
    (SkipAction: Input's copy with nothing selected, a scroll at its end) would stop there,
    where Textual goes on to the key's next binding up the chain. Hence the private
    `App._check_bindings`; tests/test_text_box_textual.py fails if it changes."""
    return await app._check_bindings(key)


def forward_key(target: Widget, key: events.Key) -> None:
    """A copy of `key` handed to `target` as App.on_event hands a key to the focused widget:
    marked forwarded, so that if it bubbles back up to the App, the App runs its bindings
    instead of handing it out a second time (a key posted with the public `post_message` is
    not marked, and Textual (8.2) has no public way to mark it). Hence the private
    `Widget._forward_event`; tests/test_text_box_textual.py fails if it changes."""
    target._forward_event(events.Key(key.key, key.character))


@dataclass
class _Held:
    handed_back: list[events.Key] = field(default_factory=list)
    read_after: list[events.Key] = field(default_factory=list)


class HeldKeys:
    """An App mixin for the one move focus cannot make at once: a jump to a left tab shows the
    tab and focuses its first field only at the next refresh (the tab may still be mounting).
    Keys read with the jump key (`5` then a name, in one read) went to the pane focus was
    leaving, where `e` opened the endpoint picker. They are held and then handed, in order,
    to where focus went: first those the App had already passed to the old pane (its InOrder
    hands them back), then those the App read after the jump key, then any read later."""

    _held: _Held | None = None  # None: no jump on its way, keys pass

    @property
    def holding(self) -> bool:
        return self._held is not None

    def hold_keys(self) -> None:
        if self._held is None:
            self._held = _Held()

    def release_keys(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        app = cast("App[object]", self)
        target: Widget = app.focused or app.screen
        for key in [*held.handed_back, *held.read_after]:
            forward_key(target, key)

    def holds(self, event: events.Event, *, handed_back: bool = False) -> bool:
        """Keeps a key while held (True: nothing more is done with it). `handed_back`: a key
        the App passed to a pane before the jump key had acted."""
        if self._held is None or not isinstance(event, events.Key):
            return False
        if handed_back:
            self._held.handed_back.append(event)
        elif event.is_forwarded:
            return False
        else:
            self._held.read_after.append(event)
        return True


class TextBox(InOrder, Input):
    """A text box: its own keys (ctrl+u, backspace, Up...) and the screen's (Escape) in
    order with the characters typed around them; characters are text (Input)."""
