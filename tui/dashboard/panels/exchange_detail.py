"""The selected exchange, decoded (exchange_views.py), in tabs: Request, Response, Raw, Timing.
Each tab is a Document: wrap on or off (`w`), sideways scroll, `/` to search it and n / N to
step through the matches, `-` / `+` to fold JSON objects a level more or less, `y` to copy a
part of the exchange (or curl for an unsigned request) to the clipboard or a file."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

from tui.acme.traffic import Exchange
from tui.dashboard.panels.document import Document
from tui.dashboard.panels.exchange_views import (
    Context,
    raw_view,
    request_view,
    response_view,
    timing_view,
)
from tui.dashboard.panels.json_fold import Folding, depth
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.text_box import TextBox
from tui.words import counted

if TYPE_CHECKING:
    from tui.traffic_log import TrafficLog

VIEWS = {"Request": request_view, "Response": response_view, "Raw": raw_view, "Timing": timing_view}


def _json_depth(exchange: Exchange) -> int:
    """How many levels `-` can fold: the deepest JSON the views show for this exchange."""
    values: list[Any] = []
    if exchange.jws is not None:
        values += [exchange.jws.protected, exchange.jws.payload]
    with contextlib.suppress(ValueError, RecursionError):
        values.append(json.loads(exchange.response_body))
    return max((depth(v) for v in values), default=0)


class SearchBox(TextBox):
    """The detail pane's search: Enter searches the tab it was opened from, Escape leaves."""

    DEFAULT_CSS = "SearchBox { dock: bottom; }"
    BINDINGS = [Binding("escape", "close", "Close search", show=False)]

    def action_close(self) -> None:
        detail = self.parent
        if isinstance(detail, ExchangeDetail):
            self.screen.set_focus(detail.active_document())  # at once (text_box.py)
        self.remove()


class ExchangeDetail(Vertical):
    """Tabs for one exchange; rendered when selected, not when recorded. The hidden tabs mount
    after the first paint (`mount_hidden`); their Documents exist from the start, so `show` can
    fill them either way."""

    TABS = tuple(VIEWS)
    BINDINGS = [
        Binding("minus", "fold(-1)", "Fold", id="detail.fold", tooltip="Fold JSON a level more"),
        Binding("plus,equals_sign", "fold(1)", "Unfold", id="detail.unfold", show=False),
        Binding("left_square_bracket", "fold(-99)", "Fold all", id="detail.fold_all",
                show=False, tooltip="Fold every JSON object but the outermost"),
        Binding("right_square_bracket", "fold(99)", "Unfold all", id="detail.unfold_all",
                show=False),
        Binding("y", "copy_part", "Copy part", id="detail.copy", tooltip="Copy a header, the "
                "body, the nonce, curl... to the clipboard (OSC 52) or a file"),
    ]  # fmt: skip

    wrap: reactive[bool] = reactive(True, init=False)

    def __init__(self, log: TrafficLog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.traffic_log = log
        self.folding = Folding()
        self._shown: tuple[Exchange, bool | None, Exchange | None] | None = None
        self._stale: set[str] = set()  # tabs not yet filled with the exchange shown
        self.documents = {tab: Document(id=f"detail-{tab.lower()}") for tab in self.TABS}
        hint = [Text("Select an exchange in the traffic list.", style="dim")]
        for document in self.documents.values():
            document.set_blocks(hint)
            document.open_search = self.open_search
        panes: dict[str, tuple[str, Widget]] = {
            f"tab-{tab.lower()}": (tab, document) for tab, document in self.documents.items()
        }
        self._tabs = TabbedPanes(panes)

    def compose(self) -> ComposeResult:
        yield self._tabs

    def mount_hidden(self) -> None:
        self._tabs.mount_hidden()

    def active_document(self) -> Document:
        return self.documents[self._active_tab()]

    def _view_context(
        self, exchange: Exchange, valid: bool | None, origin: Exchange | None
    ) -> Context:
        return Context(
            valid=valid,
            nonce_from=origin,
            nonce_from_name=self._reference(origin) if origin is not None else "",
            resent_from_name=self.traffic_log.resent_reference(exchange)
            if self._held(exchange)
            else "",
            folding=self.folding,
        )

    def _held(self, exchange: Exchange) -> bool:
        try:
            self.traffic_log.index(exchange)
        except KeyError:
            return False
        return True

    def _reference(self, exchange: Exchange) -> str:
        """#seq, or #run:seq when the log holds several runs."""
        return self.traffic_log.reference(exchange) if self._held(exchange) else f"#{exchange.seq}"

    def show(self, exchange: Exchange, valid: bool | None, nonce_from: Exchange | None) -> None:
        """Fills the tab in sight now and the others when they are chosen: a 1 MiB body took
        seconds per tab to lay out, at every cursor move through the list. Another exchange
        starts at its first line and column; the same one refolded stays where it is."""
        if self._shown is None or self._shown[0] is not exchange:
            self.folding = Folding()
            for document in self.documents.values():
                document.cursor = 0
                document.scroll_to(0, 0, animate=False)
        self._shown = (exchange, valid, nonce_from)
        self._stale = set(self.TABS)
        self._fill(self._active_tab())

    def _active_tab(self) -> str:
        return self._tabs.active.removeprefix("tab-").title()

    def _fill(self, tab: str) -> None:
        if self._shown is None or tab not in self._stale:
            return
        self._stale.discard(tab)
        exchange = self._shown[0]
        context = self._view_context(*self._shown)
        self.documents[tab].set_blocks(VIEWS[tab](exchange, context))

    def on_mount(self) -> None:
        self.watch(self._tabs.strip, "active", lambda pane: self._fill(self._active_tab()))

    def clear(self) -> None:
        """Nothing selected any more (the list was cleared)."""
        self._shown = None
        for document in self.documents.values():
            document.set_blocks([Text("The traffic list was cleared.", style="dim")])

    def watch_wrap(self, wrap: bool) -> None:
        for document in self.documents.values():
            document.wrap = wrap

    async def open_search(self, document: Document) -> None:
        """`/` in a tab: the box takes focus at once (see InOrder)."""
        for box in self.query(SearchBox):
            await box.remove()
        box = SearchBox(value=document.term, placeholder="search this tab, Enter")
        await self.mount(box)
        self.screen.set_focus(box)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if not isinstance(message.input, SearchBox):
            return
        message.stop()
        document = self.active_document()
        found = document.search(message.value)
        message.input.remove()
        document.focus()
        if message.value:
            self.notify(
                f"{counted(found, 'match')}: n next, N previous"
                if found
                else "No match in this tab.",
                timeout=3,
            )

    def action_fold(self, step: int) -> None:
        """`-` / `+`: every object a level deeper or shallower; `[` / `]` (a step past the
        depth either way): fold all but the outermost / unfold all. Objects folded or unfolded
        one by one (Enter) follow the level again."""
        if self._shown is None:
            return
        deepest = _json_depth(self._shown[0])
        level = self.folding.level
        current = deepest if level is None else level
        wanted = max(1, min(deepest, current + step))  # the outermost object stays open
        self._refold(Folding(level=None if wanted >= deepest else wanted))
        shown = "all levels" if self.folding.level is None else counted(self.folding.level, "level")
        self.notify(f"JSON shown to {shown} (- / + a level, [ / ] all, Enter one)", timeout=2)

    def on_document_fold_toggled(self, message: Document.FoldToggled) -> None:
        """Enter in a tab: the object under the cursor folded or unfolded, the rest as is."""
        if self._shown is None:
            return
        toggled = self.folding.toggled ^ {(message.block, message.path)}
        self._refold(Folding(self.folding.level, frozenset(toggled)))

    def _refold(self, folding: Folding) -> None:
        self.folding = folding
        if self._shown is not None:
            self.show(*self._shown)

    def action_copy_part(self) -> None:
        if self._shown is None:
            self.notify("Select an exchange first.", severity="warning")
            return
        from tui.dashboard import traffic_tools

        view = cast("traffic_tools.TrafficView", self.screen)
        self.run_worker(traffic_tools.copy_part(view, self._shown[0]), group="dialog")
