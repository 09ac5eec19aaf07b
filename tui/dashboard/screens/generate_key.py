"""Generate a new account key: where, and which type."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.dashboard.panels.choice import Choice
from tui.dashboard.panels.text_box import TextBox
from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.screens.prompt import FolderLine, PathSuggester


class GenerateKeyScreen(Dialog[tuple[str, str] | None]):
    """Returns (the key file's absolute path, key type) or None. `file_in`: the folder of a
    relative path, as PromptScreen's."""

    DEFAULT_CSS = """
    GenerateKeyScreen { align: center middle; }
    GenerateKeyScreen > Vertical { width: 72; max-width: 100%; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    GenerateKeyScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    GenerateKeyScreen Button { margin-left: 2; }
    GenerateKeyScreen #folder { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, path: str, file_in: Path) -> None:
        super().__init__()
        self._path = path
        self._file_in = file_in

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Generate a new account key (PKCS#8 PEM, mode 0600; never overwrites)")
            yield TextBox(
                self._path,
                placeholder="path of the new key file",
                suggester=PathSuggester(self._file_in),
                id="path",
            )
            yield FolderLine(self._path, self._file_in)
            yield Choice(
                [(t, t) for t in KEY_TYPES], value=DEFAULT_KEY_TYPE, allow_blank=False, id="type"
            )
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Generate", id="generate", variant="primary")

    def _submit(self) -> None:
        key_type = self.query_one("#type", Select).value
        if path := self.query_one(FolderLine).file_path(self.query_one("#path", Input).value):
            self.dismiss((str(path), str(key_type)))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(FolderLine).follow(event.value)

    def on_input_submitted(self) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "generate":
            self._submit()
        else:
            self.dismiss(None)
