"""The base of every dialog: a modal screen with a key bar of its own."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from tui.dashboard.panels.key_bar import KeyBar

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """The workspace's key bar shows through below a modal, offering keys that do nothing
    while the dialog is up; this bar covers it with the dialog's own keys (Escape, the
    focused widget's). Mounted from this class's on_mount, which Textual runs besides a
    subclass's own.

    The workspace's status line still shows below, and names the dialog by its title's first
    line (a subclass that has one sets `_title`), else by its class."""

    _title = ""

    def on_mount(self) -> None:
        self.mount(KeyBar())

    @property
    def title_line(self) -> str:
        lines = self._title.strip().splitlines()
        return lines[0] if lines else ""
