"""dns-01 by hand: show the TXT record to publish, offer to copy it, wait for "published".
The name comes from the CA's authorization: what is shown and copied is made printable, so
neither the screen nor a later paste into a shell gets its control characters."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import printable


class DnsInstructions(Dialog[bool]):
    DEFAULT_CSS = """
    DnsInstructions { align: center middle; }
    DnsInstructions > Vertical { width: 78; max-width: 100%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface; }
    DnsInstructions Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    DnsInstructions Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(False)", "Cancel"),
        Binding("c", "copy", "Copy record", id="dns.copy"),
    ]

    def __init__(self, name: str, value: str) -> None:
        super().__init__()
        self.record_name = name
        self.record_value = value
        self._record = printable(f'{name}. 60 IN TXT "{value}"')

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Publish this DNS record, then press Published:")
            yield Static(f"\n{self._record}\n", markup=False)
            yield Static("c copies it (OSC 52; not every terminal passes it on).")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Copy", id="copy")
                yield Button("Published", id="published", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self._record)
        self.notify("Record sent to the clipboard (OSC 52)")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy":
            self.action_copy()
        else:
            self.dismiss(event.button.id == "published")
