"""The Certificates tab's table (tui/dashboard/panels/certificates.py): loaded with the tab,
after the first paint."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from tui.cert_list import Row
from tui.dashboard.panels.choice import letters_stay
from tui.dashboard.untrusted import printable

BAR = 10  # cells of the days-left bar


def days_bar(days_left: float, lifetime: float) -> str:
    filled = round(BAR * min(max(days_left / lifetime, 0.0), 1.0)) if lifetime > 0 else 0
    return "█" * filled + "░" * (BAR - filled)


def cells(row: Row) -> list[Text]:
    r = row.record
    if r.get("error"):
        return [Text("!", style="red"), Text(printable(r["name"])), Text(""), Text(""),
                Text(""), Text(printable(r["error"]), style="red")]  # fmt: skip
    bar = days_bar(row.days_left, row.lifetime_days)
    style = "red" if row.due else ("yellow" if row.days_left < 14 else "green")
    last = r["last_result"] or ""
    return [
        Text("DUE" if row.due else "", style="bold red"),
        Text(printable(r["name"])),
        Text(f"{bar} {row.days_left:.0f}", style=style),
        Text(r["not_after"][:16]),
        Text(r["next_renewal"][:16]),
        Text(printable(last + (f": {r['last_error']}" if r["last_error"] else ""))),
    ]


class CertificatesTable(DataTable[Text]):
    """Its keys (r, a, l) are the panel's bindings, reached from here as focus bubbles."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return letters_stay(self, key, character)
