"""Generate a new account key: where, and which type."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.dashboard.panels.choice import Choice
from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.screens.prompt import PathSuggester


class GenerateKeyScreen(Dialog[tuple[str, str] | None]):
    """Returns (path, key type) or None."""

    DEFAULT_CSS = """
    GenerateKeyScreen { align: center middle; }
    GenerateKeyScreen > Vertical { width: 72; max-width: 100%; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    GenerateKeyScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    GenerateKeyScreen Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Generate a new account key (PKCS#8 PEM, mode 0600; never overwrites)")
            yield Input(
                self._path,
                placeholder="path of the new key file",
                suggester=PathSuggester(),
                id="path",
            )
            yield Choice(
                [(t, t) for t in KEY_TYPES], value=DEFAULT_KEY_TYPE, allow_blank=False, id="type"
            )
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Generate", id="generate", variant="primary")

    def _submit(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        key_type = self.query_one("#type", Select).value
        if not path:
            self.notify("Enter a path for the key file", severity="warning")
            return
        self.dismiss((path, str(key_type)))

    def on_input_submitted(self) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "generate":
            self._submit()
        else:
            self.dismiss(None)
