"""Endpoint panel: which CA, which environment, and what its directory offers. Choosing another
endpoint happens in screens/endpoint_picker.py (key `e`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tui.dashboard.panels.pane import Pane
from tui.dashboard.untrusted import printable
from tui.endpoints import Endpoint

if TYPE_CHECKING:
    from tui.acme.models import Directory


class EndpointPanel(Pane):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._info = Static(id="endpoint-info")
        self._directory = Static(id="directory-info")

    def compose(self) -> ComposeResult:
        yield self._info
        yield self._directory

    def show_endpoint(self, endpoint: Endpoint, *, offline: bool = False) -> None:
        """`offline`: a traffic file under inspection, where e, t and d do nothing: not named."""
        text = Text()
        text.append(f"{printable(endpoint.title)}\n", style="bold")
        text.append(f"[{endpoint.environment.badge}] ", style="bold")
        text.append(f"{printable(endpoint.url)}\n")
        if endpoint.note:
            text.append(f"note: {printable(endpoint.note)}\n", style="yellow")
        if not offline:
            text.append("e: choose another endpoint\n", style="dim")
            if endpoint.twin:
                text.append(f"t: switch to {endpoint.twin}\n", style="dim")
        self._info.update(text)
        self._directory.update(Text("" if offline else "d: fetch the directory", style="dim"))

    def show_directory(self, directory: Directory) -> None:
        """Every name and value is the CA's text: made printable, never read as markup."""
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
        self._directory.update(Text("\n".join(printable(line) for line in lines)))
