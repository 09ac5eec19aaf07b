"""A scrolling pane that takes focus (so the arrow keys scroll it) and shows that it has it."""

from __future__ import annotations

from textual.containers import VerticalScroll


class Pane(VerticalScroll):
    """A bar down the left edge in the theme's accent colour while focused. Unfocused the edge
    is blank, not absent, so the text does not move when focus arrives."""

    DEFAULT_CSS = """
    Pane { border-left: blank; }
    Pane:focus { border-left: outer $accent; }
    """
