"""F1: every key, what it does, and the id to remap it under [keymap] in the config file; `?`:
the keys that act where focus is, and where each acts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.dashboard.screens.dialog import Dialog


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: thick $primary;
        background: $surface; }
    HelpScreen > VerticalScroll:focus { border: thick $accent; }
    """
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss(None)", "Close")]

    def __init__(
        self,
        rows: list[tuple[str, str, str]],
        *,
        title: str = "acmedash keys (ctrl+p: command palette)",
        third: str = "id for [keymap]",
    ) -> None:
        super().__init__()
        self._rows = rows
        self._title = title
        self._third = third

    def compose(self) -> ComposeResult:
        table = Table(title=self._title, expand=True)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column(self._third, style="dim")
        for key, description, binding_id in self._rows:
            table.add_row(Text(key), Text(description), Text(binding_id))
        with VerticalScroll():
            yield Static(table)
