"""The bar at the top: the endpoint's STAGING / PRODUCTION / LOCAL badge (production in the
theme's error colour, so it cannot be taken for staging), its title, offline inspection, and the
operation in flight."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.dashboard.untrusted import printable
from tui.endpoints import Endpoint


class TopBar(Static):
    def show(self, endpoint: Endpoint, *, offline: bool, busy: str = "") -> None:
        for name in ("production", "staging", "local"):
            self.set_class(endpoint.environment.value == name, f"-{name}")
        mode = " [OFFLINE INSPECT]" if offline else ""
        working = f"  ⟳ {printable(busy)}…" if busy else ""
        title = printable(endpoint.title)
        self.update(Text(f" {endpoint.environment.badge} ▌ {title}{mode}{working}"))
