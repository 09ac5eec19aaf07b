"""The traffic filter's text box: Up and Down walk the filters applied before (the log's
history, newest first from Up), as a shell's history does."""

from __future__ import annotations

from textual.binding import Binding

from tui.dashboard.panels.text_box import TextBox
from tui.traffic_log import TrafficLog

PLACEHOLDER = "filter: words !not method:POST status:4xx body:/regex/ header:retry-after"


class FilterBox(TextBox):
    BINDINGS = [
        Binding("up", "history(-1)", "Older filter", show=False),
        Binding("down", "history(1)", "Newer filter", show=False),
    ]

    def __init__(self, log: TrafficLog, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id)
        self.traffic_log = log
        self._at: int | None = None  # where in the history Up/Down are; None: not walking
        self._draft = ""  # what was typed before walking the history

    def action_history(self, step: int) -> None:
        history = self.traffic_log.history
        if not history:
            return
        if self._at is None:
            self._at, self._draft = len(history), self.value
        self._at = max(0, min(len(history), self._at + step))
        self.value = history[self._at] if self._at < len(history) else self._draft
        self.cursor_position = len(self.value)

    def on_focus(self) -> None:
        self._at = None
