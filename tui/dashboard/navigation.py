"""Moving around the workspace as in lazygit or k9s: jump keys to a pane (1-6 the left tabs, 7
the traffic list, 8 the detail), the split between the left panel and the traffic moved with
`<` `>` or hidden with `z`, the name of the focused pane for the status line, and the keys that
act where focus is for `?`.

Tab and shift+Tab still walk every focusable widget; the jump keys are for getting somewhere in
one key press. They are the screen's keys, so a text box with focus takes the digits as text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from textual.css.scalar import Scalar, Unit
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from tui.dashboard.keymap import (
    DETAIL_KEY,
    SIDE_PANES,
    TRAFFIC_KEY,
    key_names,
    keys_left,
    taken_as_text,
)
from tui.dashboard.layout import STEP, Split
from tui.dashboard.panels.status_line import TYPING, StatusLine
from tui.dashboard.panels.tabs import TabbedPanes, TabStrip
from tui.dashboard.panels.text_box import HeldKeys
from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import printable

if TYPE_CHECKING:
    from textual.app import App
    from textual.binding import BindingType

    from tui.dashboard.panels.traffic_list import TrafficList
    from tui.dashboard.workspace import Workspace


Row = tuple[str, str, str]


class Navigator:
    """The jump keys and the split, over the workspace's three areas."""

    def __init__(self, side: TabbedPanes, traffic: Widget, detail: Widget) -> None:
        self.side = side
        self.traffic = traffic
        self.detail = detail
        self.split = Split()

    # -- the split --------------------------------------------------------------------------

    def lay_out(self, total: int) -> None:
        """Sizes the left panel for a screen `total` columns wide (on every resize too)."""
        width = self.split.side_width(total)
        self.side.display = width > 0
        if width and self.side.styles.width != Scalar(width, Unit.CELLS, Unit.WIDTH):
            # Only a change: setting it lays the screen out again, before the first paint too
            self.side.styles.width = width

    def resize(self, total: int, step: int) -> str:
        """`<` / `>`: what to tell the user when nothing moved, else ""."""
        if self.split.collapsed:
            return "The left panel is hidden: z shows it."
        if not self.split.resize(total, step):
            return "The split is at its limit for this terminal's width."
        self.lay_out(total)
        return ""

    def toggle_side(self, total: int) -> None:
        """`z`: hides the left panel (traffic and detail take the width), or shows it again.
        Focus inside it moves to the traffic list first: a hidden widget keeps no focus."""
        self.split.collapsed = not self.split.collapsed
        if self.split.collapsed and self.side.has_focus_within:
            self.traffic.focus()
        self.lay_out(total)

    # -- jumping ----------------------------------------------------------------------------

    def jump(self, target: str, total: int) -> None:
        """Focus to a left tab (its pane id), "traffic" or "detail". A left tab is shown first
        (and the left panel, if hidden); focus goes to the tab's first focusable widget, or to
        the tab strip when the tab has none (the Account tab is text only)."""
        if target == "traffic":
            self.traffic.screen.set_focus(self.traffic)  # at once: see InOrder
            return
        if target == "detail":
            _focus_first(self.detail)
            return
        if self.split.collapsed:
            self.split.collapsed = False
            self.lay_out(total)
        self.side.active = target
        app = self.side.app
        if isinstance(app, HeldKeys):
            app.hold_keys()
        self.side.call_after_refresh(self._focus_when_mounted, target)

    async def _focus_when_mounted(self, pane_id: str) -> None:
        await self.side.mounted(pane_id)
        self.focus_pane(pane_id)

    def focus_pane(self, pane_id: str) -> None:
        """Focus to the tab's first field (else its strip), then the keys held since the jump."""
        try:
            pane = self.side.switcher.get_child_by_id(pane_id)
            if not _focus_first(pane):
                self.side.screen.set_focus(self.side.strip)
        finally:
            app = self.side.app
            if isinstance(app, HeldKeys):
                app.release_keys()

    # -- where focus is ---------------------------------------------------------------------

    def focus_name(self, focused: Widget | None) -> str:
        """The focused pane as the status line names it, with its jump key, or the dialog
        over the workspace; "typing" when the keys go into a text box (letters are text there,
        not commands). Only the resend dialog has a TextArea."""
        if focused is None:
            return "no focus"
        typing = TYPING if isinstance(focused, Input) else ""
        if isinstance(focused.screen, Dialog):
            from textual.widgets import TextArea  # a dialog is up: not at start

            typing = TYPING if isinstance(focused, Input | TextArea) else ""
            return f"{dialog_name(focused.screen)}{typing}"
        if focused is self.traffic or self.traffic in focused.ancestors:
            return f"{TRAFFIC_KEY} Traffic{typing}"
        if self.detail in focused.ancestors:
            return f"{DETAIL_KEY} Detail{typing}"
        if focused is self.side.strip or self.side in focused.ancestors:
            pane = next((w.id for w in focused.ancestors if w.id in SIDE_PANES), None)
            pane = pane or self.side.active  # the tab strip names the tab it shows
            number = list(SIDE_PANES).index(pane) + 1
            return f"{number} {SIDE_PANES[pane][0]}{typing}"
        return f"{human_name(focused)}{typing}"


class NavigableScreen(Screen[None]):
    """The workspace screen's keys for moving around, and its status line kept up to date;
    MainScreen is one (and sets these attributes)."""

    workspace: Workspace
    navigator: Navigator
    status: StatusLine
    traffic: TrafficList

    def on_resize(self) -> None:
        self.navigator.lay_out(self.size.width)

    def on_mount(self) -> None:
        self.watch(self.navigator.side.strip, "active", self._tab_switched, init=False)

    def _tab_switched(self) -> None:
        """A left tab chosen from its strip, a jump key or an action (Enter on a certificate
        opens the Orders tab): the status line said the old tab's name. Focus left in the
        pane now hidden (Textual drops it) goes to the pane shown."""
        self.call_after_refresh(self._after_tab_switch)

    def _after_tab_switch(self) -> None:
        focused, side = self.focused, self.navigator.side
        shown = side.switcher.get_child_by_id(side.active)
        hidden = (
            focused is not None and side in focused.ancestors and shown not in focused.ancestors
        )
        if side.display and (focused is None or (hidden and focused is not side.strip)):
            self.navigator.focus_pane(side.active)
        self.update_status()

    def update_status(self) -> None:
        """The status line, from the traffic model's status() and the focus (a dialog's when
        one is up over the workspace): the model's listener (an exchange appended, a filter
        applied, follow switched, a mark, a clear) and every focus change call it."""
        top = self.app.screen
        focused = top.focused if isinstance(top, Dialog) else self.focused
        self.status.show(self.navigator.focus_name(focused), self.workspace.log.status())

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.update_status()

    def follow_dialog(self, dialog: Dialog[Any]) -> None:
        """A dialog is on top of the workspace (Dialog.Shown, through the App): the status
        line, still seen below it, follows the dialog's focus (it named the pane behind, and
        never said typing in a text box)."""
        self.watch(dialog, "focused", self.update_status)

    def on_screen_resume(self) -> None:
        self.update_status()

    def action_jump(self, target: str) -> None:
        self.navigator.jump(target, self.size.width)

    def action_resize_split(self, direction: int) -> None:
        problem = self.navigator.resize(self.size.width, direction * STEP)
        if problem:
            self.notify(problem, timeout=2)

    def action_toggle_side(self) -> None:
        self.navigator.toggle_side(self.size.width)


def _focus_first(container: Widget) -> bool:
    """Focuses the first widget of `container` (or itself) in the focus chain, so one that is
    shown; a tab strip only when there is nothing else (arrows then scroll the content). First
    in the DOM's order, not the focus chain's: that sorts by where widgets were last laid out,
    and a pane just shown again still had its old layout, so the Orders tab, left scrolled
    to its progress lines, gave focus to them and not to the names box above. Scrolled into
    view once the pane is laid out again: set_focus scrolls by the old layout."""
    chain = set(container.screen.focus_chain)
    inside = [widget for widget in container.walk_children(with_self=True) if widget in chain]
    inside.sort(key=lambda widget: isinstance(widget, TabStrip))
    if inside:
        first = inside[0]
        container.screen.set_focus(first)  # at once: the keys typed next go there (InOrder)
        container.call_after_refresh(first.scroll_visible, animate=False)
    return bool(inside)


def keys_here(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """For `?`: (key, what it does, where it acts) of every key that acts where focus is now,
    the focused widget's own first, then the screen's, then the App's. A key the focused text
    box types (`/`, letters) is not one of them."""
    rows: list[tuple[int, str, str, str]] = []
    focused = screen.focused
    for key, active in screen.active_bindings.items():
        binding = active.binding
        node = active.node
        if not active.enabled or binding.action == "keys_here":
            continue
        if taken_as_text(focused, node, key):
            continue
        where = (
            (2, "everywhere")
            if node is screen.app
            else (1, "workspace")
            if node is screen
            else (0, human_name(node))
        )
        shown = screen.app.get_key_display(binding) or key
        tooltip = f" - {binding.tooltip}" if binding.tooltip else ""
        rows.append((where[0], shown, binding.description + tooltip, where[1]))
    rows.sort(key=lambda row: row[0])
    return [(key, description, where) for _, key, description, where in rows]


def keys_here_title(screen: Screen[object]) -> str:
    focused = screen.focused
    where = f" ({human_name(focused)})" if focused is not None else ""
    return f"Keys here{where}; F1: every key, ctrl+p: palette"


def every_key(
    app: App[Any], keymap: dict[str, str], contexts: tuple[list[BindingType], ...]
) -> list[Row]:
    """For F1: (keys as pressed, what it does, its id for [keymap]) of every binding, with the
    keys the keymap left it ("none" for one whose key went to another action)."""
    rows = []
    for binding, keys in keys_left(keymap, *contexts):
        tooltip = f" - {binding.tooltip}" if binding.tooltip else ""
        shown = key_names(app, keys) or "none"
        rows.append((shown, binding.description + tooltip, binding.id or ""))
    return rows


# Widgets whose class name says little to a person.
_NAMES = {"Document": "detail tab", "TabStrip": "tab strip", "Input": "text box"}


def dialog_name(dialog: Dialog[Any]) -> str:
    """A dialog's title's first line, else its class's human name (`generate key`)."""
    return printable(dialog.title_line) or human_name(dialog).removesuffix(" screen")


def human_name(node: object) -> str:
    """What the help and the status line call a widget: `traffic list`, `filter box`, never a
    class name (TrafficList) or a CSS id (#traffic-list)."""
    name = type(node).__name__
    return _NAMES.get(name) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
