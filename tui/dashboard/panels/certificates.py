"""Certificates tab: the store as `cert list` shows it (tui/cert_list.py), one row per managed
certificate with a days-left bar and a due marker. Keys on the table: r renews the selected
certificate, a every due one, Enter opens the selected one in the certificate viewer (Orders
tab), l reloads. Values from certificates (names, issuers) are untrusted text: shown as Text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from tui.dashboard.untrusted import printable

if TYPE_CHECKING:
    from tui.cert_list import Row
    from tui.dashboard.panels.certificates_table import CertificatesTable


class CertificatesPanel(Vertical):
    DEFAULT_CSS = """
    CertificatesPanel CertificatesTable { height: 1fr; }
    CertificatesPanel .label { color: $text-muted; }
    """
    BINDINGS = [
        Binding("r", "renew_selected", "Renew selected", show=False),
        Binding("a", "renew_due", "Renew all due", show=False),
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self._store = Static("", classes="label")

    def compose(self) -> ComposeResult:
        # Imported here: DataTable is not needed for the first paint (this tab mounts after).
        from tui.dashboard.panels.certificates_table import CertificatesTable

        table = CertificatesTable(cursor_type="row", id="certificates-table")
        table.add_columns("", "certificate", "days left", "expires", "next renewal", "last")
        yield self._store
        yield table
        yield Static("r renew selected  a renew all due  Enter open  l reload", classes="label")

    def on_mount(self) -> None:
        self.post_message(self.Reload())

    def show(self, store: Path, rows: list[Row]) -> None:
        self.rows = rows
        self._store.update(Text(f"store {printable(str(store))}"))
        if not self.is_mounted:
            return
        from tui.dashboard.panels.certificates_table import cells

        table = self._table()
        table.clear()
        for row in rows:
            table.add_row(*cells(row), key=str(row.folder))

    def _table(self) -> CertificatesTable:
        from tui.dashboard.panels.certificates_table import CertificatesTable

        return self.query_one(CertificatesTable)

    def selected(self) -> Path | None:
        table = self._table()
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row].folder

    def on_data_table_row_selected(self, event: Message) -> None:
        event.stop()
        if folder := self.selected():
            self.post_message(self.Open(folder))

    def action_renew_selected(self) -> None:
        if folder := self.selected():
            self.post_message(self.Renew([folder], force=True))

    def action_renew_due(self) -> None:
        self.post_message(self.Renew([], force=False))

    def action_reload(self) -> None:
        self.post_message(self.Reload())
