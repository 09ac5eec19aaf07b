"""Endpoint panel: pick a preset or type a directory URL; shows what the directory offers."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Select, Static

from tui.acme.models import Directory
from tui.endpoints import PRESETS, Endpoint

CUSTOM = "__custom__"


class EndpointPanel(VerticalScroll):
    class Chosen(Message):
        def __init__(self, name_or_url: str) -> None:
            self.name_or_url = name_or_url
            super().__init__()

    def __init__(self, endpoint: Endpoint, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._current = self._option(endpoint)

    @staticmethod
    def _option(endpoint: Endpoint) -> str:
        return endpoint.name if endpoint.name in PRESETS else CUSTOM

    def compose(self) -> ComposeResult:
        options = [(f"{p.title} [{p.environment.value}]", p.name) for p in PRESETS.values()]
        yield Select(
            [*options, ("Custom directory URL…", CUSTOM)],
            value=self._current,
            allow_blank=False,
            id="endpoint-select",
        )
        yield Input(placeholder="https://… directory URL, Enter to use", id="endpoint-url")
        yield Static(id="endpoint-info")
        yield Static(id="directory-info")

    def show_endpoint(self, endpoint: Endpoint) -> None:
        self._current = self._option(endpoint)
        self.query_one("#endpoint-select", Select).value = self._current
        url_input = self.query_one("#endpoint-url", Input)
        url_input.value = endpoint.url
        url_input.display = endpoint.name not in PRESETS
        note = f"\nnote: {endpoint.note}" if endpoint.note else ""
        twin = f"\nt: switch to {endpoint.twin}" if endpoint.twin else ""
        self.query_one("#endpoint-info", Static).update(Text(f"{endpoint.url}{note}{twin}"))
        self.query_one("#directory-info", Static).update("d: fetch the directory")

    def show_directory(self, directory: Directory) -> None:
        meta = directory.meta
        lines = [
            f"{name}: {value}" for name, value in directory.raw.items() if isinstance(value, str)
        ]
        lines += [
            "meta:",
            f"  termsOfService: {meta.terms_of_service or '-'}",
            f"  website: {meta.website or '-'}",
            f"  caaIdentities: {', '.join(meta.caa_identities) or '-'}",
            f"  externalAccountRequired: {str(meta.external_account_required).lower()}",
            f"  profiles: {', '.join(meta.profiles) or '-'}",
        ]
        self.query_one("#directory-info", Static).update(Text("\n".join(lines)))

    def on_select_changed(self, event: Select.Changed) -> None:
        """Only a change away from the current endpoint counts: the Select also reports the
        value we set ourselves, and that must never switch endpoints (to production, say)."""
        event.stop()
        if event.value == self._current:
            return
        if event.value == CUSTOM:
            url_input = self.query_one("#endpoint-url", Input)
            url_input.display = True
            url_input.focus()
        else:
            self.post_message(self.Chosen(str(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(self.Chosen(event.value.strip()))
