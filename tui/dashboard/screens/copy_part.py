"""Pick one part of an exchange to copy, and where it goes: the clipboard (OSC 52, which
reaches the local clipboard over SSH when the terminal passes it on) or a file (which always
works). Returns (part name, "clipboard" | "file"), or None."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import printable

Answer = tuple[str, str] | None


class CopyPartScreen(Dialog[Answer]):
    DEFAULT_CSS = """
    CopyPartScreen { align: center middle; }
    CopyPartScreen > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    CopyPartScreen OptionList { height: auto; max-height: 14; }
    CopyPartScreen #help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("s", "to_file", "Save to a file"),
    ]

    def __init__(self, title: str, names: list[str]) -> None:
        super().__init__()
        self._title = title
        self._names = names

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(printable(self._title), style="bold"))
            yield OptionList(
                *(Option(Text(printable(name)), id=str(i)) for i, name in enumerate(self._names)),
                id="parts",
            )
            yield Static("Enter: to the clipboard (OSC 52) · s: to a file · Escape", id="help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((self._names[int(event.option.id or 0)], "clipboard"))

    def action_to_file(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss((self._names[highlighted], "file"))
