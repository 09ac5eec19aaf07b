"""A scrolling text view for the exchange detail: lines folded at the pane's edge or kept whole
and scrolled sideways, and a search that highlights every match and steps through them.

Drawn with the Line API, like the traffic list: only the lines on screen are rendered, so a
1 MiB body (the cap) scrolls as smoothly as a short one. A block longer than SHOWN_LINES lines
shows its first ones and a line saying the rest is left out: splitting and laying out every
line of a body of 524,000 short lines froze the pane for seconds. It takes focus, and shows it
with the same bar as the other panes.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Awaitable, Callable

from rich._wrap import divide_line  # what Text.wrap cuts lines with
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.dashboard.keymap import CURSOR_BINDINGS
from tui.dashboard.panels.json_fold import SHOWN_LINES, JsonText
from tui.dashboard.panels.text_box import InOrder
from tui.words import counted


def _fold_points(plain: str, width: int) -> list[int]:
    """Offsets where a line is cut so that no piece is wider than `width` cells: at a space
    when there is one (as Rich wraps a Static), inside a word longer than the line."""
    if cell_len(plain) <= width:
        return []
    return divide_line(plain, width, fold=True)


def _shown_lines(block: Text) -> list[Text]:
    """The lines of `block`, at most SHOWN_LINES, then one saying what is left out."""
    plain, end = block.plain, -1
    for _ in range(SHOWN_LINES):
        end = plain.find("\n", end + 1)
        if end < 0:
            return list(block.split("\n", allow_blank=True))
    more = plain.count("\n", end)  # the lines after the last one shown
    whole = not isinstance(block, JsonText) or block.whole
    rest = counted(more, "more line") if whole else "the rest of this JSON"
    folds = "" if whole else ", and it does not fold"
    notice = Text(
        f"… {rest} not shown{folds}: the first {SHOWN_LINES:,} are. "
        "y, then s, saves the whole part to a file.",
        style="bold yellow",
    )
    return [*block[:end].split("\n", allow_blank=True), notice]


class Document(InOrder, ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"document--match", "document--current-match", "document--cursor"}
    DEFAULT_CSS = """
    Document { height: 1fr; border-left: blank; }
    Document:focus { border-left: outer $accent; }
    /* Underlined, not a background: search matches are backgrounds. */
    Document > .document--cursor { text-style: underline; }
    Document > .document--match { background: $warning 40%; }
    Document > .document--current-match { background: $accent; color: $text; text-style: bold; }
    """
    BINDINGS = [
        Binding("slash", "search", "Search", id="detail.search", tooltip="Search this tab"),
        Binding("n", "next_match(1)", "Next", id="detail.next", show=False),
        Binding("N", "next_match(-1)", "Previous", id="detail.previous", show=False),
        *CURSOR_BINDINGS,
        Binding(
            "enter",
            "fold_here",
            "Fold here",
            id="detail.fold_here",
            tooltip="Fold or unfold the JSON object or array the cursor line is in",
        ),
    ]

    wrap: reactive[bool] = reactive(True, init=False)

    class FoldToggled(Message):
        """Enter on a line of JSON: the innermost object or array holding it, to fold or
        unfold (the detail pane keeps what is folded, per exchange)."""

        def __init__(self, block: str, path: tuple[str | int, ...]) -> None:
            self.block, self.path = block, path
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Text] = []
        self._visual: list[tuple[int, int, int]] = []  # (line, start, end) per screen row
        self._first_row: list[int] = []  # the screen row each line starts on
        self._laid_out_at = 0  # the width _visual was folded to (0: not folded)
        self.term = ""
        self.matches: list[tuple[int, int, int]] = []  # (line, start, end)
        self._on_line: dict[int, list[int]] = {}  # line -> indices into matches
        self.current = -1
        self.cursor = 0  # the line (of _lines) Enter folds at; drawn when focused
        self._base = Style()  # rich_style, taken once for each render_lines
        self.open_search: Callable[[Document], Awaitable[None]] | None = None  # the detail's
        # (first line, last line, block, path) of every JSON object or array shown
        self._objects: list[tuple[int, int, str, tuple[str | int, ...]]] = []

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self._lines)

    def set_blocks(self, blocks: list[Text]) -> None:
        """Shows `blocks` (each may hold several lines); a search in effect is run again."""
        self._lines, self._objects = [], []
        for block in blocks:
            if isinstance(block, JsonText):
                at = len(self._lines)
                self._objects += [(at + a, at + b, block.block, p) for a, b, p in block.containers]
            self._lines += _shown_lines(block)
        self.cursor = min(self.cursor, max(0, len(self._lines) - 1))
        current = self.current
        self._find()
        if self.matches and current >= 0:  # the same exchange refolded, or the next one
            self.current = min(current, len(self.matches) - 1)
        self._layout()

    def watch_wrap(self) -> None:
        self._layout()

    def on_resize(self) -> None:
        self._layout()

    def watch_show_vertical_scrollbar(self) -> None:
        """The scrollbar takes columns without a Resize: lines folded to the width before it
        came lost their last characters."""
        self._layout()

    def _layout(self) -> None:
        width = self.scrollable_content_region.width
        # Not sized yet (a tab filled before it is shown): a row per line until on_resize.
        # Folded at one column, a 1 MiB line was a million rows and 128 MB for a moment.
        fold = self.wrap and width > 0
        self._laid_out_at = width if fold else 0
        self._visual, self._first_row = [], []
        widest = 0
        for number, line in enumerate(self._lines):
            self._first_row.append(len(self._visual))
            cuts = _fold_points(line.plain, width) if fold else []
            edges = [0, *cuts, len(line.plain)]
            self._visual += [(number, a, b) for a, b in itertools.pairwise(edges)]
            if not self.wrap:
                widest = max(widest, cell_len(line.plain))
        self.virtual_size = Size(widest if not self.wrap else 0, len(self._visual))
        self.refresh()

    # -- search ------------------------------------------------------------------------

    def search(self, term: str) -> int:
        """Highlights every case-insensitive match of `term` and goes to the first one at or
        after the top of the view; returns how many there are."""
        self.term = term
        self._find()
        if self.matches:
            top = self._visual[int(self.scroll_y)][0] if self._visual else 0
            lines = [line for line, _, _ in self.matches]
            self.current = min(bisect.bisect_left(lines, top), len(self.matches) - 1)
            self._show_current()
        self.refresh()
        return len(self.matches)

    def _find(self) -> None:
        self.matches, self.current, self._on_line = [], -1, {}
        term = self.term.lower()
        if not term:
            return
        for number, line in enumerate(self._lines):
            plain, start = line.plain.lower(), 0
            while (found := plain.find(term, start)) >= 0:
                self._on_line.setdefault(number, []).append(len(self.matches))
                self.matches.append((number, found, found + len(term)))
                start = found + max(1, len(term))

    async def action_search(self) -> None:
        """Opened before the next key is handled (InOrder): the keys after `/` are its text."""
        if self.open_search is not None:
            await self.open_search(self)

    # -- the cursor and folding ------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        """The cursor moves by lines (a wrapped line is one), the view follows it."""
        if not self._lines:
            return
        self.cursor = max(0, min(len(self._lines) - 1, self.cursor + step))
        self._show_line(self.cursor)
        self.refresh()

    def action_jump(self, where: int) -> None:
        self.action_cursor(-len(self._lines) if where == 0 else len(self._lines))

    def action_page(self, direction: int) -> None:
        rows = max(1, self.scrollable_content_region.height - 1)
        if not self._visual:
            return
        row = max(0, min(len(self._visual) - 1, self._first_row[self.cursor] + direction * rows))
        self.action_cursor(self._visual[row][0] - self.cursor)

    def _show_line(self, line: int, x: int | None = None) -> None:
        if not self._first_row:
            return
        first = self._first_row[line]
        last = self._first_row[line + 1] if line + 1 < len(self._first_row) else len(self._visual)
        left = int(self.scroll_x) if x is None else x
        region = Region(left, first, 1, max(1, last - first))
        self.scroll_to_region(region, animate=False, force=True)

    def action_fold_here(self) -> None:
        inside = [o for o in self._objects if o[0] <= self.cursor <= o[1]]
        if not inside:
            self.notify("No JSON object on this line: move the cursor into one.", timeout=2)
            return
        _, _, block, path = max(inside, key=lambda o: o[0])  # the innermost starts last
        self.cursor = max(o[0] for o in inside)  # on its first line, which stays in place
        self.post_message(self.FoldToggled(block, path))

    def action_next_match(self, step: int) -> None:
        if not self.matches:
            self.notify("No search here: / to search." if not self.term else "No match.")
            return
        self.current = (self.current + step) % len(self.matches)
        self._show_current()
        self.refresh()

    def _show_current(self) -> None:
        line, start, _ = self.matches[self.current]
        self.cursor = line
        row = self._first_row[line]
        while row + 1 < len(self._visual) and self._visual[row + 1][0] == line:
            if self._visual[row + 1][1] > start:
                break
            row += 1
        x = 0 if self.wrap else cell_len(self._lines[line].plain[:start])
        width = self.scrollable_content_region.width
        region = Region(max(0, x - width // 2) if x >= width else 0, row, 1, 1)
        self.scroll_to_region(region, animate=False, force=True)

    # -- drawing -----------------------------------------------------------------------

    def _styled(self, number: int, start: int, end: int) -> Text:
        """Characters start to end of a line, matches highlighted: only the matches in that
        piece, found by bisection (a 1 MiB line of `1,` has 524,000 matches of `1`)."""
        piece = self._lines[number][start:end]
        found = self._on_line.get(number, [])
        first = bisect.bisect_right(found, start, key=lambda index: self.matches[index][2])
        for at in range(first, len(found)):
            index = found[at]
            _, begin, stop = self.matches[index]
            if begin >= end:
                break
            name = "document--current-match" if index == self.current else "document--match"
            style = self.get_component_rich_style(name)
            piece.stylize(style, max(0, begin - start), stop - start)  # <0: from the end
        return piece

    def render_lines(self, crop: Region) -> list[Strip]:
        """Folded again first if the width changed unseen: a tab filled, or its wrap turned
        on, while hidden has no width to fold to, and shown again at the size it had gets
        neither Resize nor Show, so its long lines stayed whole and were cut at the edge."""
        width = self.scrollable_content_region.width
        if self.wrap and width > 0 and width != self._laid_out_at:
            self._layout()
        # Textual works rich_style out from every ancestor on each call: 0.3 ms, twice a line,
        # was a third of redrawing the detail pane after a filter's Enter.
        self._base = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if row >= len(self._visual) or width <= 0:
            return Strip.blank(width, self._base)
        number, start, end = self._visual[row]
        piece = self._styled(number, start, end)
        console = self.app.console
        # Text.render leaves out the Text's own style (Rich adds it when printing): add it.
        base = self._base + console.get_style(piece.style, default=Style())
        if number == self.cursor and self.has_focus:
            base += self.get_component_rich_style("document--cursor")
        segments = [
            Segment(text, base + style if style else base)
            for text, style, _ in piece.render(console)
        ]
        strip = Strip(segments)
        pad = Style.from_color(bgcolor=self._base.bgcolor)
        if not self.wrap:
            x = int(self.scroll_x)
            return strip.crop_extend(x, x + width, pad)
        return strip.extend_cell_length(width, pad)
