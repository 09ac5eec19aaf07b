"""A yes/no modal whose default (focused) button is Cancel: Enter alone never confirms. The
message may carry the CA's text (the terms of service URL): it is shown inert."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import inert


class ConfirmScreen(Dialog[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 72; max-width: 100%; height: auto; border: thick $error;
        background: $surface; padding: 1 2; }
    ConfirmScreen.-calm > Vertical { border: thick $primary; }
    ConfirmScreen #title { text-style: bold; }
    ConfirmScreen.-alarm #title { background: $error; color: $text; padding: 0 1; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel")]

    def __init__(self, title: str, message: str, confirm_label: str, *, alarm: bool = True) -> None:
        super().__init__(classes="-alarm" if alarm else "-calm")
        self._title = title
        self._message = message
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(inert(self._title), id="title")
            yield Static(inert(self._message, lines=True), id="message")
            with Horizontal():
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button(self._confirm_label, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def restate(self, title: str, message: str) -> None:
        """The question asked again in calm words, its answer still to come: what made it an
        alarm is over (the operation it warned of has finished)."""
        self._title, self._message = title, message
        self.query_one("#title", Static).update(inert(title))
        self.query_one("#message", Static).update(inert(message, lines=True))
        self.remove_class("-alarm").add_class("-calm")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")


class QuitQuestion(ConfirmScreen):
    """Asked when q or ctrl+c comes while an operation runs. The same key again quits: ctrl+c
    did (the App's priority key), q did nothing (the App's q does not reach a dialog)."""

    BINDINGS = [Binding("q", "app.quit", "Quit", id="quit")]

    def __init__(self, busy: str) -> None:
        super().__init__(
            f"{busy} is running",
            f"{busy} has not finished. Quitting stops it where it is.\n\n"
            "Quit anyway? (q or ctrl+c again quits too)",
            "Quit",
        )
