"""Edit a signed request's payload and send it again. A byte-for-byte replay cannot work (nonces
are single-use), so the payload is signed anew with the current key and a fresh nonce."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import printable


class ResendScreen(Dialog[tuple[Any, bool] | None]):
    """Returns (payload, use_jwk) or None. An empty editor means POST-as-GET."""

    DEFAULT_CSS = """
    ResendScreen { align: center middle; }
    ResendScreen > Vertical { width: 90%; height: 90%; border: thick $warning; background: $surface;
        padding: 0 1; }
    ResendScreen TextArea { height: 1fr; }
    ResendScreen Horizontal { height: auto; align-horizontal: right; }
    ResendScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+r", "send", "Sign and send", id="resend.send"),
    ]

    def __init__(self, url: str, payload: Any, use_jwk: bool) -> None:
        super().__init__()
        self._url = url
        self._payload = payload
        self._use_jwk = use_jwk

    def compose(self) -> ComposeResult:
        with Vertical():
            header = "jwk (no account)" if self._use_jwk else "kid (current account)"
            yield Static(
                f"Resend to {printable(self._url)}, signed with {header}. "
                "Empty = POST-as-GET. ctrl+r sends.",
                markup=False,
            )
            text = "" if self._payload == "" else json.dumps(self._payload, indent=2)
            yield TextArea(text, language=None, id="payload")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Sign and send", id="send", variant="warning")

    def action_send(self) -> None:
        text = self.query_one("#payload", TextArea).text.strip()
        if not text:
            self.dismiss((None, self._use_jwk))
            return
        try:
            payload = json.loads(text)
        except ValueError as exc:
            self.notify(f"Payload is not JSON: {exc}", severity="error")
            return
        self.dismiss((payload, self._use_jwk))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        else:
            self.dismiss(None)
