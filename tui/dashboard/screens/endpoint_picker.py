"""Choose an endpoint: a preset from the list, or a directory URL typed in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.dashboard.screens.dialog import Dialog
from tui.endpoints import PRESETS, Endpoint


class EndpointPicker(Dialog[str | None]):
    """Returns a preset name or a URL; resolve() in the App validates it."""

    DEFAULT_CSS = """
    EndpointPicker { align: center middle; }
    EndpointPicker > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    EndpointPicker OptionList { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, current: Endpoint) -> None:
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        options = [
            Option(f"{p.environment.badge:<10} {p.title}", id=p.name) for p in PRESETS.values()
        ]
        with Vertical():
            yield Static("Endpoint: Enter picks a preset; or type a directory URL below")
            yield OptionList(*options, id="presets")
            custom = "" if self._current.name in PRESETS else self._current.url
            yield Input(custom, placeholder="https://… directory URL, Enter to use", id="url")

    def on_mount(self) -> None:
        presets = self.query_one("#presets", OptionList)
        if self._current.name in PRESETS:
            presets.highlighted = list(PRESETS).index(self._current.name)
        presets.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
