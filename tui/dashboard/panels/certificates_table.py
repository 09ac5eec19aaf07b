"""The Certificates tab's table (tui/dashboard/panels/certificates.py): loaded with the tab,
after the first paint.

The tab lives in the left panel, 36 columns wide from 80 to 159 terminal columns (layout.py):
too narrow for every field of `cert list`. So the columns are chosen by the width there is, in
the order they matter, and what does not fit is in the detail line under the table (detail):
the state and the name always, then days left, when the next renewal is due, the days-left bar,
the expiry and the last result. A column is either whole or not shown; only the name is
shortened, with an ellipsis."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from tui.cert_list import Row
from tui.dashboard.panels.choice import letters_stay
from tui.dashboard.untrusted import fitted, printable
from tui.words import counted

BAR = 10  # cells of the days-left bar
PADDING = 2  # DataTable's cell_padding, on both sides of every column
SCROLLBAR = 2  # kept free for the vertical scrollbar a long store shows
NAME_MIN = 12  # an optional column is added only while the name keeps this many cells


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


STATE = Column("state", "", 3)
# After the state and the name, in the order they are given room.
OPTIONAL = (
    Column("days", "days", 4),
    Column("next", "renew on", 10),
    Column("bar", "left", BAR),
    Column("expires", "expires", 10),
    Column("last", "last", 7),
)


def columns_for(width: int) -> list[Column]:
    """The columns that fit in `width` cells, the name's width being what is left over."""
    chosen = [STATE]
    used = STATE.width + PADDING + PADDING + SCROLLBAR  # the name's padding too
    for column in OPTIONAL:
        if width - used - column.width - PADDING < NAME_MIN:
            break  # in order: a later column is never shown without an earlier one
        chosen.append(column)
        used += column.width + PADDING
    name = Column("name", "certificate", max(width - used, NAME_MIN))
    return [chosen[0], name, *chosen[1:]]


def days_bar(days_left: float, lifetime: float) -> str:
    filled = round(BAR * min(max(days_left / lifetime, 0.0), 1.0)) if lifetime > 0 else 0
    return "█" * filled + "░" * (BAR - filled)


def state(row: Row) -> tuple[str, str]:
    """The marker and its style: unreadable or revoked, last renewal failed, due, fine."""
    r = row.record
    if r.get("error"):
        return "!", "bold red"
    if r.get("revoked"):
        return "REV", "bold reverse"
    if r["last_result"] == "failed":
        return "ERR", "bold red"
    if row.due:
        return "DUE", "bold red"
    return "", ""


def cells(row: Row, columns: list[Column]) -> list[Text]:
    r = row.record
    mark, mark_style = state(row)
    broken = bool(r.get("error"))
    colour = "red" if row.due else ("yellow" if row.days_left < 14 else "green")
    values = {
        "state": Text(mark, style=mark_style),
        "days": Text("" if broken else f"{row.days_left:.0f}", style=colour, justify="right"),
        "next": Text("" if broken else r["next_renewal"][:10]),
        "bar": Text("" if broken else days_bar(row.days_left, row.lifetime_days), style=colour),
        "expires": Text("" if broken else r["not_after"][:10]),
        "last": Text(printable(r.get("last_result") or ""), style=mark_style),
    }
    shown = []
    for column in columns:
        if column.key == "name":
            shown.append(Text(fitted(printable(r["name"]), column.width)))
        else:
            shown.append(values[column.key])
    return shown


def _moment(text: str) -> str:
    """An ISO 8601 UTC time to the minute: `2026-11-28 09:00Z`."""
    return f"{text[:16].replace('T', ' ')}Z" if len(text) >= 16 else text


def detail(row: Row) -> Text:
    """What the columns may have left out about the selected certificate, most needed first:
    why its last renewal failed (the reason a failure needs, at any width), then when it
    expires and when it is renewed, and why then."""
    r, p = row.record, printable
    text = Text()
    if r.get("error"):
        text.append(f"{p(r['name'])}: unreadable: ", style="bold red")
        text.append(p(r["error"]))
        return text
    text.append(p(", ".join(r["names"])), style="bold")
    if r.get("revoked"):
        text.append(f"\nREVOKED ({p(r['revoked'])})", style="bold reverse")
    if r["last_result"]:
        failed = r["last_result"] == "failed"
        when = f" {_moment(r['last_attempt'])}" if r.get("last_attempt") else ""
        text.append(
            f"\nlast renewal {p(r['last_result'])}{when}", style="bold red" if failed else ""
        )
        if r["last_error"]:
            text.append(f": {p(r['last_error'])}", style="red")
    text.append(f"\nexpires {_moment(r['not_after'])} ({counted(row.days_left, 'day')})")
    due = "due now" if row.due else f"next renewal {_moment(r['next_renewal'])}"
    text.append(f"\n{due}: {p(r['rule'])}")
    return text


class CertificatesTable(DataTable[Text]):
    """Its keys (r, a, V, l) are the panel's bindings, reached from here as focus bubbles."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return letters_stay(self, key, character)

    def on_resize(self) -> None:
        """Made shorter (at 60x20 the keys under it take a third line), the table kept its
        scroll and the selected row, the one the detail describes, went out of view."""
        self.call_after_refresh(self._cursor_in_view)

    def _cursor_in_view(self) -> None:
        """The row the cursor is on when the new layout is done, not when the resize came: a
        move in between (a click, a key) is kept."""
        self.move_cursor(row=self.cursor_row)
