"""Choose an endpoint: a preset, a directory URL in use or used before, or one typed in."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from tui.dashboard.panels.text_box import TextBox
from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import printable
from tui.endpoints import PRESETS, Endpoint


class EndsList(OptionList):
    """Up on the first row stays there, Down on the last too. Textual's list wraps around, and
    here the rows below the first are PRODUCTION ones: an Up too many highlighted a production
    CA at the bottom, for the next Enter to pick."""

    def action_cursor_up(self) -> None:
        if self.highlighted != 0:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.highlighted != self.option_count - 1:
            super().action_cursor_down()


class EndpointPicker(Dialog[str | None]):
    """Returns a preset name or a URL; resolve() validates it. `custom` are the URLs that are no
    preset but in use or used before (Workspace.custom_endpoints): listed below the presets, so
    the demo's Pebble or a private CA is one key press away, like a preset."""

    # Every row counts at 80x24: the list has no frame of its own (a bar on its left edge
    # shows its focus), so the eleven presets, the separator and MAX_CUSTOM custom URLs all
    # show with the title and the URL box (a framed list of at most 14 rows hid Let's
    # Encrypt's production line above its top).
    DEFAULT_CSS = """
    EndpointPicker { align: center middle; }
    EndpointPicker > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    EndpointPicker OptionList { height: auto; max-height: 100%; border: none;
        border-left: blank; padding: 0; }
    EndpointPicker OptionList:focus { border: none; border-left: outer $accent; }
    """
    MAX_CUSTOM = 5  # the current URL and the latest ones used
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, current: Endpoint, custom: Sequence[Endpoint] = ()) -> None:
        super().__init__()
        self._current = current
        self._custom = list(custom)[: self.MAX_CUSTOM]

    def _option(self, endpoint: Endpoint, label: str, option_id: str) -> Option:
        """PRODUCTION reversed in red, as the top bar shows it: a real CA, real certificates,
        never to be mistaken for a sandbox at a glance."""
        badge = f"{endpoint.environment.badge:<10}"
        text = Text(badge, style="bold reverse red" if endpoint.is_production else "")
        text.append(f" {printable(label)}")
        if endpoint.url == self._current.url:
            text.append("  (in use)", style="bold")
        return Option(text, id=option_id)

    def compose(self) -> ComposeResult:
        options: list[Option | None] = [self._option(p, p.title, p.name) for p in PRESETS.values()]
        if self._custom:
            options.append(None)  # a separator line
            options += [self._option(e, e.url, e.url) for e in self._custom]
        with Vertical():
            yield Static("Endpoint: Enter picks one (PRODUCTION asks first), or type a URL")
            yield EndsList(*options, id="presets")
            custom = "" if self._current.name in PRESETS else self._current.url
            yield TextBox(custom, placeholder="https://… directory URL, Enter to use", id="url")

    def on_mount(self) -> None:
        presets = self.query_one("#presets", OptionList)
        current = self._current.name if self._current.name in PRESETS else self._current.url
        # A URL that no longer resolves is not listed: nothing to highlight then.
        with suppress(OptionDoesNotExist):
            presets.highlighted = presets.get_option_index(current)
        presets.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
