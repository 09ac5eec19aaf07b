"""Where notifications go. Textual stacks them at the bottom right of the screen on top of
everything; at 80x24 that is where a dialog's buttons are and where the detail pane's search
box is, so a toast hid what the user was typing into or about to press. A toast is never worth
that: while something there must stay seen, the toasts move above it or below it, whichever
side has more room, and are cut to that room (each toast loses its blank padding there; what
does not fit stays in the rack, scrolled off, until it expires)."""

from __future__ import annotations

from typing import Any

from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

TOP_MARGIN = 1  # the top bar stays visible (it says PRODUCTION)
ROOM = 3  # rows for a toast of one line: its title, the line, the gap above it


def _guarded(screen: Screen[Any]) -> list[list[Widget]]:
    """What the toasts must leave visible, best first. On a dialog: the whole dialog (its
    question too: PRODUCTION in its title) where there is room beside it, else its focused
    widget, its buttons and its text boxes (the picker's URL box, typed into next).
    Elsewhere: a focused text box (the traffic list or a detail tab may be covered; they
    scroll, and have no cursor to lose)."""
    focused = screen.focused
    # Queried by name: importing TextArea at start-up (the first focus) cost 40 ms.
    boxes = screen.query("Input, TextArea").nodes
    if isinstance(screen, ModalScreen):
        essentials = [*screen.query("Button").nodes, *boxes]
        essentials += [focused] if focused is not None else []
        dialog = [w for w in screen.children if focused in w.walk_children(with_self=True)]
        return [dialog, essentials] if dialog else [essentials]
    return [[focused]] if focused in boxes else [[]]


def _toast_columns(screen: Screen[Any]) -> Region:
    """The columns Textual's toasts take: 60 wide at most, half the screen at most, at the
    right edge."""
    width = min(60, screen.size.width // 2)
    return Region(screen.size.width - width, 0, width, screen.size.height)


def place(screen: Screen[Any]) -> None:
    """Moves and cuts the screen's toasts (its ToastRack) so that they leave the guarded
    widgets visible; back to where app.tcss puts them when nothing needs guarding."""
    racks = screen.query_children("ToastRack")
    if not racks:
        return
    rack = racks.first()
    columns = _toast_columns(screen)
    choices = _guarded(screen)
    for guarded in choices:
        regions = [w.region for w in guarded if w.display and w.region.overlaps(columns)]
        if not regions:
            rack.remove_class("-guarded", "-above")
            rack.styles.max_height = None
            return
        below = screen.size.height - rack.styles.margin.bottom - max(r.bottom for r in regions)
        above = min(r.y for r in regions) - TOP_MARGIN
        if max(above, below) >= ROOM or guarded is choices[-1]:
            rack.add_class("-guarded")
            rack.set_class(above > below, "-above")
            rack.styles.max_height = max(above, below, 0)
            return
