"""Tabbed panes for a small start-up budget.

Textual's TabbedContent (its Tabs mount a widget per tab and an underline bar, a line more per
instance) put the dashboard's first paint at 1.49x the minimal app against 1.25x with this
strip, in the same run of benchmarks/first_paint.py on 2026-11-27 (goal <= 1.25x). The
dashboard has two, so this is one line of text over a ContentSwitcher: same keys (focus the
strip, left/right), same `active` pane id.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import AwaitMount, Widget
from textual.widgets import ContentSwitcher, Static


class TabStrip(Static, can_focus=True):
    DEFAULT_CSS = """
    TabStrip { height: 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    TabStrip:focus { background: $accent 40%; text-style: bold; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "Previous tab", show=False),
        Binding("right", "move(1)", "Next tab", show=False),
    ]

    active: reactive[str] = reactive("")

    class Activated(Message):
        def __init__(self, strip: TabStrip, pane_id: str) -> None:
            self.strip = strip
            self.pane_id = pane_id
            super().__init__()

    def __init__(
        self, labels: dict[str, str], active: str, short: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.labels = labels
        self.short = short or labels
        self.set_reactive(TabStrip.active, active)

    def _shown(self) -> list[tuple[str, str]]:
        """(pane id, label as drawn), the first of these that fits, so every tab stays on the
        strip: " Contacts ", "Contacts ", the short names ("Cont "), three letters ("Con ",
        where a 60-column terminal leaves the left panel 23), and at the narrowest split (20
        columns, where "Cer" was cut off) each tab's number, its jump key, with the active
        tab's short name ("1 2 Cont 4 5 6")."""
        numbered = {
            pane: label if pane == self.active else str(number)
            for number, (pane, label) in enumerate(self.short.items(), 1)
        }
        for labels, pad in (
            (self.labels, " "),
            (self.labels, ""),
            (self.short, ""),
            ({pane: label[:3] for pane, label in self.short.items()}, ""),
            (numbered, ""),
        ):
            shown = [(pane, f"{pad}{label} ") for pane, label in labels.items()]
            if sum(len(text) for _, text in shown) <= self.size.width:
                break
        return shown

    def render(self) -> Content:
        parts = [
            Content.styled(text, "bold reverse" if pane == self.active else "dim")
            for pane, text in self._shown()
        ]
        return Content("").join(parts)

    def watch_active(self, pane_id: str) -> None:
        self.post_message(self.Activated(self, pane_id))

    def action_move(self, step: int) -> None:
        ids = list(self.labels)
        self.active = ids[(ids.index(self.active) + step) % len(ids)]

    def on_click(self, event: Click) -> None:
        x = 0
        for pane, text in self._shown():
            if x <= event.x < x + len(text):
                self.active = pane
                return
            x += len(text)


class TabbedPanes(Vertical):
    """`panes` maps pane id -> (label, widget). Only the first pane is composed; the others
    (widget and its pane) mount on `mount_hidden()` (after the first paint) or when their tab is
    chosen, whichever comes first. Not textual.lazy.Lazy: it mounts after the next refresh, and a
    screen composed while the App is still starting gets a refresh that paints nothing, so
    the hidden panes would cost start-up time after all."""

    DEFAULT_CSS = """
    TabbedPanes { height: 1fr; }
    TabbedPanes > ContentSwitcher { height: 1fr; }
    TabbedPanes > ContentSwitcher > * { height: 1fr; }
    """

    def __init__(
        self,
        panes: dict[str, tuple[str, Widget]],
        *,
        short: dict[str, str] | None = None,
        id: str | None = None,
    ) -> None:
        """`short`: pane id -> a shorter label, for a strip too narrow for the labels."""
        super().__init__(id=id)
        self._panes = panes
        first = next(iter(panes))
        self.strip = TabStrip({pane: label for pane, (label, _) in panes.items()}, first, short)
        self.switcher = ContentSwitcher(initial=first)
        self._hidden = {pane: widget for pane, (_, widget) in panes.items() if pane != first}
        self._mounting: dict[str, AwaitMount] = {}

    def compose(self) -> ComposeResult:
        yield self.strip
        with self.switcher:
            for pane, (_, widget) in self._panes.items():
                if pane not in self._hidden:
                    yield Vertical(widget, id=pane)

    def mount_hidden(self) -> list[AwaitMount]:
        """Mounts the hidden panes; what it returns is awaited before the App exits (a Select
        still mounting when ctrl+c tore the screen down raised NoMatches)."""
        return [mounting for pane in list(self._hidden) if (mounting := self._mount(pane))]

    def _mount(self, pane_id: str) -> AwaitMount | None:
        widget = self._hidden.pop(pane_id, None)
        if widget is None:
            return None
        pane = Vertical(widget, id=pane_id)
        pane.display = False  # the switcher shows it when it becomes current
        self._mounting[pane_id] = mounting = self.switcher.mount(pane)
        return mounting

    async def mounted(self, pane_id: str) -> None:
        """Returns once the pane's widgets are mounted: focus given to a pane still mounting
        found nothing to focus there (a jump key typed before the first paint)."""
        self._mount(pane_id)
        mounting = self._mounting.pop(pane_id, None)
        if mounting is not None:
            await mounting

    @property
    def active(self) -> str:
        return self.strip.active

    @active.setter
    def active(self, pane_id: str) -> None:
        self.strip.active = pane_id

    def on_tab_strip_activated(self, message: TabStrip.Activated) -> None:
        message.stop()
        self._mount(message.pane_id)
        self.switcher.current = message.pane_id
