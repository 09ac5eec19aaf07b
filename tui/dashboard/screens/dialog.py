"""The base of every dialog: a modal screen with a key bar of its own."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.message import Message
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

    class Shown(Message):
        """This dialog is on top (opened, or back once one over it closed): for the App to
        tell the workspace, whose status line names the dialog on top. The workspace only
        learnt of the first one (its own suspend), and named it under a second."""

        def __init__(self, dialog: Dialog[Any]) -> None:
            super().__init__()
            self.dialog = dialog

    def on_mount(self) -> None:
        self.mount(KeyBar())

    def on_screen_resume(self) -> None:
        self.post_message(self.Shown(self))

    @property
    def title_line(self) -> str:
        lines = self._title.strip().splitlines()
        return lines[0] if lines else ""
