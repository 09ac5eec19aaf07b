"""Confirmation for what cannot be undone: the user types a word, Enter alone does nothing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.dashboard.panels.text_box import TextBox
from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import printable


class TypedConfirmScreen(Dialog[bool]):
    DEFAULT_CSS = """
    TypedConfirmScreen { align: center middle; }
    TypedConfirmScreen > Vertical { width: 72; max-width: 100%; height: auto; padding: 1 2;
        border: thick $error; background: $surface; }
    """
    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel")]

    def __init__(self, message: str, word: str) -> None:
        super().__init__()
        self._message = message
        self._word = word

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(printable(self._message, lines=True), markup=False)
            yield Static(f"Type {self._word} and press Enter; Escape cancels.", markup=False)
            yield TextBox(id="word")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self._word:
            self.dismiss(True)
        else:
            self.notify(f"Type exactly {self._word!r} to confirm", severity="warning")
