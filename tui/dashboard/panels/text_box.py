"""A text box whose own keys (ctrl+u, backspace, ctrl+w, Up for history...) act in turn with
the characters typed around them.

Textual runs a focused widget's bindings only once the key has bubbled up to the App, through
each parent's message queue, while the keys after it go straight to the box. `abc`, ctrl+u,
`def` arriving in one read (fast typing, an SSH link delivering keys together, tmux send-keys)
ran ctrl+u after `def` and wiped it. Run here, in the box's own queue, nothing typed is lost."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextBox(Input):
    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)
