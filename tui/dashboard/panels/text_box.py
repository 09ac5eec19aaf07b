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

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.widget import Widget as _Pane
else:
    _Pane = object  # a mixin: as a Widget base it hid Input's own component classes


class InOrder(_Pane):
    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not None and focused is not self and not self.has_focus_within:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        if self.check_consume_key(event.key, event.character):
            return  # text for a text box (Input's handler types it)
        if await self.app._check_bindings(event.key):
            event.stop()
            event.prevent_default()


class TextBox(InOrder, Input):
    """A text box: its own keys (ctrl+u, backspace, Up...) and the screen's (Escape) in
    order with the characters typed around them; characters are text (Input)."""
