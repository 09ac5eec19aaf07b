"""Where the traffic list draws a line between two runs of a traffic file (each run numbers its
exchanges from 1): the screen lines of the list are its rows plus one line before the first
shown row of each run after the first. This maps rows to screen lines and back, recomputed
only when the rows change (a handful of runs, a bisect each: 100,000 rows cost nothing)."""

from __future__ import annotations

import bisect

from tui.traffic_log import TrafficLog


class RunLines:
    def __init__(self, model: TrafficLog) -> None:
        self.model = model
        self._key: tuple[int, int, int, str] | None = None
        self._breaks: list[int] = []  # rows (indices into model.rows) with a line before them
        self._lines: list[int] = []  # the screen line of each of those lines

    def _update(self) -> None:
        model = self.model
        key = (model.runs, len(model.rows), len(model.exchanges), model.query_text)
        if key == self._key:
            return
        self._key = key
        breaks: list[int] = []
        for start in model.run_starts():
            row = bisect.bisect_left(model.rows, start)
            if 0 < row < len(model.rows) and (not breaks or breaks[-1] != row):
                breaks.append(row)
        self._breaks = breaks
        self._lines = [row + number for number, row in enumerate(breaks)]

    @property
    def total(self) -> int:
        """Screen lines: rows and run lines."""
        self._update()
        return len(self.model.rows) + len(self._breaks)

    def line_of(self, row: int) -> int:
        self._update()
        return row + bisect.bisect_right(self._breaks, row)

    def at(self, line: int) -> tuple[int, bool]:
        """(row, True) when `line` is the run line drawn before `row`, else (row, False)."""
        self._update()
        before = bisect.bisect_right(self._lines, line)
        if before and self._lines[before - 1] == line:
            return self._breaks[before - 1], True
        return line - before, False

    def title(self, row: int) -> str:
        """The text of the line before `row`: the run it starts."""
        run = self.model.label(self.model.rows[row]).partition(":")[0]
        return f"── run {run} "
