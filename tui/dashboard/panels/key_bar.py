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
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Static

from tui.dashboard.keymap import display_order, taken_as_text


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; padding: 0 1; text-wrap: nowrap;
        text-overflow: ellipsis; }
    """

    _keys: tuple[list[tuple[str, str]], tuple[str, str] | None] = ([], None)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _place(self, item: tuple[str, ActiveBinding]) -> tuple[int, int]:
        """The focused widget's own keys first, then the screen's and the App's keys in the
        keymap's order."""
        active = item[1]
        if active.node not in (self.screen, self.app):
            return 0, 0
        return 1, display_order(active.binding)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        parts: list[tuple[str, str]] = []  # (key, description)
        more: tuple[str, str] | None = None  # `?`, or F1 where `?` is text (in a text box)
        seen: set[str] = set()
        for key, active in sorted(screen.active_bindings.items(), key=self._place):
            binding = active.binding
            if not active.enabled or binding.action in seen:
                continue
            if taken_as_text(screen.focused, active.node, key):
                continue
            shown = self.app.get_key_display(binding) or key
            if binding.action == "keys_here":
                more = (shown, "more")
            elif binding.action == "help":
                more = more or (shown, "keys")
            elif binding.show:
                seen.add(binding.action)
                parts.append((shown, binding.description))
        parts.append(("^p", "palette"))
        self._keys = (parts, more)
        self.refresh()

    def render(self) -> Content:
        """As many keys as fit, then `?` (the keys that act here, all of them), kept at the
        end whatever the width: at 80 columns the bar is cut, and `?` says there is more. In a
        text box `?` is text, and F1 (every key) takes its place. Fitted here, at the width
        being drawn, so the first paint already has the keys."""
        parts, more = self._keys
        room = self.content_size.width - (len(more[0]) + len(more[1]) + 3 if more else 0)
        fitted: list[tuple[str, str]] = []
        for shown, description in parts:
            room -= len(shown) + len(description) + 3
            if room < 0:
                break
            fitted.append((shown, description))
        if more:
            fitted.append(more)
        return Content.from_markup(
            "  ".join(f"[b $accent]{escape(shown)} [/]{escape(text)}" for shown, text in fitted)
        )
