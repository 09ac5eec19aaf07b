"""The traffic list: one line per exchange, drawn with the Line API.

A widget per row stops scaling near a thousand rows; this draws only the visible lines of the
traffic model (tui/traffic_log.py: the exchanges and the filter's rows) through an LRU cache of
rendered strips, so it holds tens of thousands of exchanges (see benchmarks/). It keeps only
what is about showing: the cursor, follow mode, the cache.
"""

from __future__ import annotations

import asyncio
import bisect
from urllib.parse import urlsplit

from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.acme.traffic import Exchange
from tui.dashboard.keymap import CURSOR_BINDINGS
from tui.dashboard.panels.row_operation import operation
from tui.dashboard.panels.run_lines import RunLines
from tui.dashboard.panels.text_box import InOrder
from tui.dashboard.untrusted import fitted, printable
from tui.traffic_filter import REGEX_SECONDS, FilterError
from tui.traffic_log import FilterRun, TrafficLog
from tui.words import counted

# What a filter's Enter matches before it answers: one that finishes within it (any of
# traffic_keys.py's over 10,000 exchanges but one) is shown at once; a longer one says
# `filtering…` first and goes on between keys. A full slice here (12 ms) was spent before the
# answer of every filter over 100,000, all of which need several.
ENTER_SLICE_SECONDS = 0.005


def row_component(exchange: Exchange) -> str:
    """The component class (TrafficList.COMPONENT_CLASSES) a row is drawn with."""
    if exchange.status is None:
        return "traffic-list--no-response"
    if exchange.problem and exchange.problem.short_type == "badNonce":
        return "traffic-list--bad-nonce"
    return f"traffic-list--{min(max(exchange.status // 100, 1), 5)}xx"


WIDE = 64  # below this many columns the time and elapsed columns give way to the path
PROBLEM = 20  # the problem column at most; it takes no more than half of what is spare
MIN_PATH = 8  # and is left out when the path would get less than this


def _status(exchange: Exchange) -> str:
    """Three columns: what a traffic file says could be any length."""
    if exchange.status is None:
        return "ERR"
    status = printable(str(exchange.status))
    return status if len(status) <= 3 else "???"


def _elapsed(milliseconds: float) -> str:
    """Eight columns: ` 12345ms`, or seconds from 100 s on."""
    if milliseconds < 99_999.5:
        return f" {milliseconds:>5.0f}ms"
    return f" {milliseconds / 1000:>5.0f}s "


def _path(exchange: Exchange, room: int) -> str:
    """`room` columns: the operation's name (newOrder, authz, chall, finalize...), then as much
    of the path's end as fits, cut at its start: the end is what tells two URLs apart."""
    path = printable(urlsplit(exchange.url).path or "/")
    name = operation(exchange)
    if name and len(name) < room - 2:
        return f"{name} {_tail(path, room - len(name) - 1)}"
    return _tail(name or path, room)


def _tail(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    return "…" + text[-(room - 1) :] if room > 1 else text[:room]


def format_row(
    exchange: Exchange,
    width: int,
    *,
    label: str | None = None,
    label_width: int = 5,
    marked: bool = False,
) -> str:
    """label (seq, or run:seq), mark (* marked, ↻ resent), [time], method, operation and path,
    status, [elapsed], problem. Every column but the path and the problem has a fixed width,
    and the problem's depends on `width` only, so the status sits in one column on every row;
    the path gets what is left after the operation's name, cut at its start. What
    came from the network or a traffic file is made printable: one row, one line."""
    wide = width >= WIDE
    mark = "*" if marked else "↻" if exchange.resent_from is not None else " "
    time = exchange.started.astimezone().strftime("%H:%M:%S ") if wide else ""
    name = str(exchange.seq) if label is None else label
    method = fitted(printable(exchange.method), 4)
    fixed = f"{name:>{label_width}}{mark}{time}{method:<4} "
    status = f" {_status(exchange)}{_elapsed(exchange.elapsed_ms) if wide else ''}"
    spare = width - len(fixed) - len(status)
    problem_width = min(PROBLEM, (spare - 1) // 2) if spare > 2 * MIN_PATH else 0
    room = max(0, spare - (problem_width + 1 if problem_width else 0))
    path = _path(exchange, room)
    row = f"{fixed}{path:<{room}}{status}"
    if problem_width:
        problem = exchange.problem.short_type if exchange.problem else exchange.error
        row += f" {fitted(printable(problem), problem_width)}"
    return row.rstrip()


class TrafficList(InOrder, ScrollView, can_focus=True):
    """Exchanges in arrival order; follows new rows while the cursor sits on the last one."""

    # Row colours are the theme's (as toolong's LogLines), never named colours: a light theme
    # or the 16-colour one must be as readable as the dark one.
    COMPONENT_CLASSES = {
        "traffic-list--1xx",
        "traffic-list--2xx",
        "traffic-list--3xx",
        "traffic-list--4xx",
        "traffic-list--5xx",
        "traffic-list--bad-nonce",
        "traffic-list--no-response",
        "traffic-list--cursor",
        "traffic-list--marked",
        "traffic-list--run",
    }
    DEFAULT_CSS = """
    TrafficList { height: 1fr; overflow-x: hidden; }
    TrafficList > .traffic-list--2xx { color: $success; }
    TrafficList > .traffic-list--3xx { color: $primary; }
    TrafficList > .traffic-list--4xx { color: $warning; }
    TrafficList > .traffic-list--5xx { color: $error; text-style: bold; }
    TrafficList > .traffic-list--bad-nonce { color: $warning; text-style: dim; }
    TrafficList > .traffic-list--no-response { color: $error; text-style: bold; }
    TrafficList > .traffic-list--marked { text-style: bold underline; }
    TrafficList > .traffic-list--run { color: $accent; text-style: bold; }
    TrafficList > .traffic-list--cursor { text-style: reverse; }
    TrafficList:focus > .traffic-list--cursor { text-style: bold reverse; }
    """
    BINDINGS = [
        *CURSOR_BINDINGS,
        Binding(
            "F", "toggle_follow", "Follow", id="traffic.follow", tooltip="Follow new exchanges"
        ),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            id="traffic.mark",
            show=False,
            tooltip="Mark or unmark the exchange; x / X then export only the marked",
        ),
        # Not `z`: that hides or shows the left panel everywhere, this list included.
        Binding(
            "C",
            "clear",
            "Clear list",
            id="traffic.clear",
            show=False,
            tooltip="Clear the list after asking (a traffic file on disk keeps its exchanges)",
        ),
    ]

    cursor: reactive[int] = reactive(-1, always_update=True, repaint=False)
    follow: reactive[bool] = reactive(True)

    class Selected(Message):
        def __init__(self, exchange: Exchange) -> None:
            self.exchange = exchange
            super().__init__()

    class Cleared(Message):
        """The list was emptied: nothing is selected any more."""

    def __init__(self, model: TrafficLog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self._cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(1024)
        self._label_width = model.label_width
        self.run_lines = RunLines(model)

    @property
    def exchanges(self) -> list[Exchange]:
        return self.model.exchanges

    @property
    def rows(self) -> list[int]:
        return self.model.rows

    @property
    def selected(self) -> Exchange | None:
        if 0 <= self.cursor < len(self.rows):
            return self.exchanges[self.rows[self.cursor]]
        return None

    def on_mount(self) -> None:
        """A log that holds exchanges already (offline inspection) opens on its last one."""
        self._resize()
        self.cursor = len(self.rows) - 1

    def appended(self, shown: bool) -> None:
        """The log took a new exchange; `shown` when the filter lets it through."""
        self._title()
        if shown:
            self._resize()
            if self.follow:
                self.cursor = len(self.rows) - 1
            else:
                self.refresh()

    def apply_filter(self, text: str) -> bool:
        """False (and the user told why) when `text` is no filter; the rows stay as they were.
        What one slice of matching does not finish goes on in a worker between key presses
        (the status line says filtering...), so a filter over 100,000 exchanges never holds
        the UI thread for long; a newer filter cancels it."""
        keep = self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None
        try:
            run = self.model.start_filter(text)
        except FilterError as exc:
            self.notify(str(exc), title="Filter not applied", severity="error", markup=False)
            return False
        if run.step(ENTER_SLICE_SECONDS):
            self._filtered(run, keep)
        else:
            self.model.changed()
            self._filtering(run, keep)
        return True

    @work(exclusive=True, group="filter")
    async def _filtering(self, run: FilterRun, keep: int | None) -> None:
        # The Enter answered on screen first (focus on the list, `filtering…`): a slice run
        # before the screen's next update held the answer back 12 ms more (traffic_100k.py).
        await self.wait_for_refresh()
        while not run.step():
            await asyncio.sleep(0)  # keys and repaints go first
        self._filtered(run, keep)

    def _filtered(self, run: FilterRun, keep: int | None) -> None:
        if not self.model.finish_filter(run):
            return  # a clear or a newer filter came first
        self._cache.clear()
        self._resize()
        self._title()
        if keep is not None and not self.follow:
            # rows is sorted: keep the same exchange selected, or the nearest one after it
            self.cursor = min(bisect.bisect_left(self.rows, keep), len(self.rows) - 1)
        else:
            self.cursor = len(self.rows) - 1
        self.refresh()
        if slow := run.query.too_slow:
            first = self.model.reference(slow[0])
            more = f" and {counted(len(slow) - 1, 'more')}" if len(slow) > 1 else ""
            self.notify(
                f"A regular expression of this filter took more than {REGEX_SECONDS * 1000:g} "
                f"ms on {first}{more}: not searched, so not shown. A narrower pattern, or "
                "field (header: instead of body:), finds them.",
                title=f"{counted(len(slow), 'exchange')} not searched",
                severity="warning",
            )

    def _title(self) -> None:
        """The border names the filter applied and its counts, the status line's own (the
        model's status()): counted once when the filter applied, the border said `5 of 21`
        after a 22nd exchange arrived while the status line said `5 of 22`."""
        status, text = self.model.status(), self.model.query_text
        counts = f"({status.shown} of {status.total})"
        self.border_title = Text(f"filter: {printable(text)}  {counts}") if text else ""

    def _resize(self) -> None:
        """Rows are as wide as the list (render_line fits them): nothing to scroll sideways."""
        self.virtual_size = Size(0, self.run_lines.total)

    def on_resize(self) -> None:
        """The selected row kept in sight once the new size is laid out: after a terminal
        resize the list showed #13-#19 while following #25 (the status line said follow on)."""
        self._resize()
        self.call_after_refresh(self._scroll_to_cursor)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        if 0 <= new < len(self.rows):
            self._scroll_to_cursor()
            self.post_message(self.Selected(self.exchanges[self.rows[new]]))

    def _scroll_to_cursor(self) -> None:
        new = self.cursor
        if not 0 <= new < len(self.rows):
            return
        line = self.run_lines.line_of(new)
        # a run's first row brings the line above it, which names the run, into sight
        top = line - 1 if new and self.run_lines.line_of(new - 1) < line - 1 else line
        self.scroll_to_region(Region(0, top, 1, line - top + 1), animate=False, force=True)

    def action_cursor(self, delta: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
        self.follow = self.cursor == len(self.rows) - 1

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        if self.rows:
            self.action_cursor(-len(self.rows) if where == 0 else len(self.rows))

    def watch_follow(self, follow: bool) -> None:
        self.model.set_follow(follow)

    def action_toggle_mark(self) -> None:
        if 0 <= self.cursor < len(self.rows):
            self.model.toggle_mark(self.rows[self.cursor])
            self.refresh()

    def action_clear(self) -> None:
        from tui.dashboard.screens.confirm import ConfirmScreen

        count = len(self.exchanges)
        if not count:
            return
        question = (
            f"Remove the {counted(count, 'exchange')} from the list? A traffic file on disk "
            "keeps them; without one (--traffic FILE) they are gone."
        )
        self.app.push_screen(
            ConfirmScreen("Clear the traffic list", question, "Clear", alarm=False),
            self._cleared,
        )

    def _cleared(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        count = self.model.clear()
        self._title()
        self._cache.clear()
        self._resize()
        self.cursor = -1
        self.follow = True
        self.post_message(self.Cleared())
        self.notify(f"Cleared {counted(count, 'exchange')} from the list.", timeout=3)

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if self.follow and self.rows:
            self.cursor = len(self.rows) - 1
        self.notify(f"Follow {'on' if self.follow else 'off'}", timeout=2)

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if isinstance(offset, int) and self.rows:
            row, _ = self.run_lines.at(int(self.scroll_y) + offset)
            self.cursor = max(0, min(len(self.rows) - 1, row))
            self.follow = self.cursor == len(self.rows) - 1

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width  # the scrollbar's columns are not ours
        row, run_line = self.run_lines.at(int(self.scroll_y) + y)
        if row >= len(self.rows) or width <= 0:
            return Strip.blank(width, self.rich_style)
        if run_line:
            text = self.run_lines.title(row).ljust(width, "─")[:width]
            return Strip([Segment(text, self.get_component_rich_style("traffic-list--run"))])
        if self.model.label_width != self._label_width:  # a second run: labels got longer
            self._label_width = self.model.label_width
            self._cache.clear()
        index, selected = self.rows[row], row == self.cursor
        marked = index in self.model.marked
        key = (index, width, selected, marked)
        strip = self._cache.get(key)
        if strip is None:
            exchange = self.exchanges[index]
            components = [row_component(exchange)]
            if marked:
                components.append("traffic-list--marked")
            if selected:
                components.append("traffic-list--cursor")
            style = self.get_component_rich_style(*components)
            label = self.model.label(index)
            row_text = format_row(
                exchange, width, label=label, label_width=self._label_width, marked=marked
            )
            text = row_text[:width].ljust(width)
            strip = Strip([Segment(text, style)], width)
            self._cache[key] = strip
        return strip

    def notify_style_update(self) -> None:
        """A theme switch, or focus in or out (the cursor's style): rows drawn so far were
        drawn in the old styles."""
        super().notify_style_update()
        self._cache.clear()
        self.refresh()
