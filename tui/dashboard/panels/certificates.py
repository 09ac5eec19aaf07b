"""Certificates tab: the store as `cert list` shows it (tui/cert_list.py), one row per managed
certificate with its state (DUE, ERR: the last renewal failed, REV: revoked, !: unreadable),
and under the table the selected one's detail (names, expiry, next renewal, the last error).
Keys on the table: r renews the selected certificate, a every due one, V revokes the selected
one, Enter opens it in the certificate viewer (Orders tab), l reloads. Values from certificates
(names, issuers, errors) are untrusted text: shown as Text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import Static

from tui.dashboard.untrusted import printable

if TYPE_CHECKING:
    from tui.cert_list import Row
    from tui.dashboard.panels.certificates_table import CertificatesTable, Column
    from tui.renewal_due import Clock


# The keys under the table, each with its words: a line is broken between two of them only.
# The two on the selected row first, paired so that three lines hold them at 40 columns.
KEYS = ("r renew", "V revoke", "a all due", "l reload", "Enter open")


def key_lines(width: int) -> str:
    """KEYS two spaces apart, on as many lines of `width` as they need: Static's own wrapping
    broke a line inside one ("l" at the end of a line, "reload" on the next)."""
    lines: list[str] = []
    for key in KEYS:
        if lines and len(lines[-1]) + 2 + len(key) <= width:
            lines[-1] += "  " + key
        else:
            lines.append(key)
    return "\n".join(lines)


def shown_path(path: Path) -> str:
    """A path with the home folder as `~`: the default store's path is most of a 36-column
    line otherwise."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


class CertificatesPanel(Vertical):
    DEFAULT_CSS = """
    CertificatesPanel CertificatesTable { height: 1fr; overflow-x: hidden; }
    CertificatesPanel #certificate-detail { height: auto; max-height: 60%; }
    CertificatesPanel .label { color: $text-muted; }
    """
    BINDINGS = [
        Binding("r", "renew_selected", "Renew selected", show=False),
        Binding("a", "renew_due", "Renew all due", show=False),
        Binding("V", "revoke_selected", "Revoke selected", show=False),
        Binding("l", "reload", "Reload", show=False),
    ]

    class Renew(Message):
        """Renew these folders (forced); none: every due certificate of the store."""

        def __init__(self, folders: list[Path], *, force: bool) -> None:
            self.folders = folders
            self.force = force
            super().__init__()

    class Open(Message):
        def __init__(self, folder: Path) -> None:
            self.folder = folder
            super().__init__()

    class Reload(Message):
        pass

    class Revoke(Message):
        """Revoke this folder's certificate (reason and confirmation asked, as V elsewhere)."""

        def __init__(self, folder: Path) -> None:
            self.folder = folder
            super().__init__()

    def __init__(self, *, id: str | None = None, clock: Clock | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        # What "due" and "days left" are counted from; None: the time now (tests fix it).
        self.clock = clock
        self._columns: list[Column] = []
        # The width it last had: hidden (another tab in front) it has none, and the rows a
        # reload brings then (a revocation from the Orders tab) waited for a Resize that
        # Textual does not always send when the tab comes back at the same size: no REV
        # until `l`.
        self._width = 0
        self._store = Static("", classes="label")
        self._detail = Static("", id="certificate-detail")
        self._keys = Static(key_lines(80), classes="label", id="certificate-keys")

    def compose(self) -> ComposeResult:
        # Imported here: DataTable is not needed for the first paint (this tab mounts after).
        from tui.dashboard.panels.certificates_table import CertificatesTable

        yield self._store
        yield CertificatesTable(cursor_type="row", id="certificates-table")
        yield self._detail
        yield self._keys

    def on_mount(self) -> None:
        self.post_message(self.Reload())

    def on_resize(self, event: Resize) -> None:
        if event.size.width:
            self._width = event.size.width
        self._fill()

    def show(self, store: Path, rows: list[Row]) -> None:
        self.rows = rows
        self._store.update(Text(f"store {printable(shown_path(store))}"))
        self._columns = []  # the rows changed: fill again even at the same width
        self._fill()

    def _fill(self) -> None:
        """The table at the panel's width (the last one it had, while hidden): its columns
        (certificates_table.columns_for), then every row; the cursor stays on the
        certificate it was on. The columns fit, so the table never scrolls sideways
        (overflow-x: hidden): a squeezed table showed a cut horizontal scrollbar thumb under
        it."""
        # Kept here too, not only on Resize: one that had not come before the tab was hidden
        # left no width, and a revocation's reload then showed nothing (flaky test).
        self._width = width = self.size.width or self._width
        if not self.is_mounted or not width:
            return
        self._keys.update(key_lines(width))
        from tui.dashboard.panels.certificates_table import cells, columns_for

        columns = columns_for(width)
        if columns == self._columns and self._table().row_count == len(self.rows):
            return
        self._columns = columns
        table = self._table()
        selected = self.selected()
        table.clear(columns=True)
        for column in columns:
            table.add_column(column.label, width=column.width, key=column.key)
        for row in self.rows:
            table.add_row(*cells(row, columns), key=str(row.folder))
        folders = [row.folder for row in self.rows]
        if selected in folders:
            table.move_cursor(row=folders.index(selected))
        self._show_detail()

    def _table(self) -> CertificatesTable:
        from tui.dashboard.panels.certificates_table import CertificatesTable

        return self.query_one(CertificatesTable)

    def _row(self) -> Row | None:
        if not self.is_mounted:
            return None
        table = self._table()
        if not self.rows or not 0 <= table.cursor_row < min(len(self.rows), table.row_count):
            return None
        return self.rows[table.cursor_row]

    def selected(self) -> Path | None:
        row = self._row()
        return row.folder if row else None

    def _show_detail(self) -> None:
        from tui.dashboard.panels.certificates_table import detail

        row = self._row()
        self._detail.update(detail(row) if row else Text("no certificates in this store"))

    def on_data_table_row_highlighted(self, event: Message) -> None:
        event.stop()
        self._show_detail()

    def on_data_table_row_selected(self, event: Message) -> None:
        event.stop()
        if folder := self.selected():
            self.post_message(self.Open(folder))

    def action_renew_selected(self) -> None:
        if folder := self.selected():
            self.post_message(self.Renew([folder], force=True))

    def action_revoke_selected(self) -> None:
        if folder := self.selected():
            self.post_message(self.Revoke(folder))

    def action_renew_due(self) -> None:
        self.post_message(self.Renew([], force=False))

    def action_reload(self) -> None:
        self.post_message(self.Reload())
