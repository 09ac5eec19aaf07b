"""dns-01 from the dashboard when the config's [dns] table names a method: publish through it
(RFC 2136 or a dns-lexicon provider) or by hand. The configured method is the focused button;
Escape stops the order before anything is published."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import inert

AUTOMATIC = "automatic"
BY_HAND = "by-hand"


class DnsMethodScreen(Dialog[str | None]):
    DEFAULT_CSS = """
    DnsMethodScreen { align: center middle; }
    DnsMethodScreen > Vertical { width: 72; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 1 2; }
    DnsMethodScreen #title { text-style: bold; }
    DnsMethodScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    DnsMethodScreen Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, method: str) -> None:
        super().__init__()
        self._method = method

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Publish the dns-01 TXT records", id="title")
            yield Static(
                inert(
                    f"The config's [dns] table: {self._method}. acmedash publishes the records, "
                    "checks every authoritative server, and removes them afterwards.",
                    lines=True,
                ),
                id="message",
            )
            with Horizontal():
                yield Button("By hand", id=BY_HAND)
                yield Button(f"Via {self._method}", id=AUTOMATIC, variant="primary")

    def on_mount(self) -> None:
        self.query_one(f"#{AUTOMATIC}", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)
