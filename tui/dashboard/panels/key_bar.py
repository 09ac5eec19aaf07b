"""The footer: the keys of whatever has focus, as one line of text.

Textual's Footer mounts a widget per key and composes them only after the first refresh, and
again whenever the bindings change. Measured again on 2026-11-27 (benchmarks/first_paint.py,
30 alternating rounds, medians): this bar 1.25x the minimal app, Footer in its place 1.36x,
Footer and TabbedContent 1.68x; the goal is <= 1.25x. One Static redrawn from
`active_bindings` shows the same keys. Every screen has one: the workspace and each dialog
(screens/dialog.py), so the bar always names the keys that work where focus is.
"""

from __future__ import annotations

from textual.binding import ActiveBinding
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Static

from tui.dashboard.keymap import display_order


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; padding: 0 1; text-wrap: nowrap;
        text-overflow: ellipsis; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _place(self, item: tuple[str, ActiveBinding]) -> tuple[int, int]:
        """The focused widget's own keys first, then F1 (it names all the others, and the bar
        is cut at 80 columns), then the screen's and the App's keys in the keymap's order."""
        active = item[1]
        if active.node not in (self.screen, self.app):
            return 0, 0
        return (1 if active.binding.action == "help" else 2), display_order(active.binding)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        parts: list[str] = []
        seen: set[str] = set()
        for key, active in sorted(screen.active_bindings.items(), key=self._place):
            binding = active.binding
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = escape(self.app.get_key_display(binding) or key)
            parts.append(f"[b $accent]{shown} [/]{escape(binding.description)}")
        parts.append("[b $accent]^p [/]palette")
        self.update("  ".join(parts))
