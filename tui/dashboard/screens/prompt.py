"""A one-line text prompt (file paths, filters, passphrases); Escape cancels with None."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester, SuggestFromList
from textual.widgets import Input, Static

from tui.dashboard.panels.text_box import TextBox
from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import inert
from tui.user_paths import PathRefused, typed_file_path, user_path


class PathSuggester(Suggester):
    """Completes the path typed so far from the file system (Right arrow accepts); a relative
    one from `base` (the current folder by default)."""

    def __init__(self, base: Path | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._base = base

    async def get_suggestion(self, value: str) -> str | None:
        typed = (self._base or Path.cwd()) / user_path(value)
        folder, stem = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
        except OSError:
            return None
        match = next((n for n in names if n.startswith(stem) and not n.startswith(".")), None)
        if match is None:
            return None
        return value[: len(value) - len(stem)] + match


def folder_line(value: str, file_in: Path | None) -> Text:
    """The folder of the path in a box, whole (wrapped): a long path showed only its end, the
    cursor's, at 60 columns, and the folder a file would go to was out of sight. For a file
    (`file_in`: the folder of a relative path), why the path cannot be one, as it is typed."""
    base = file_in or Path.cwd()
    typed = base / user_path(value.strip())
    if not value.strip() or value.endswith("/"):
        return inert(f"in {typed}")
    if file_in is not None:
        try:
            typed_file_path(value, base)
        except PathRefused as exc:
            return inert(str(exc))
    return inert(f"in {typed.parent}")


class FolderLine(Static):
    """The folder_line under a path box, following what is typed; on Enter, the file the box
    names, or why it cannot be one said on this line (and the bell), the dialog staying open."""

    def __init__(self, value: str, file_in: Path | None) -> None:
        super().__init__(folder_line(value, file_in), id="folder")
        self._file_in = file_in

    def follow(self, value: str) -> None:
        self.update(folder_line(value, self._file_in))

    def file_path(self, value: str) -> Path | None:
        """None, with why said here, when `value` names no file: an empty box too (Enter
        there closed the dialog and nothing was written, without a word)."""
        try:
            if not value.strip():
                raise PathRefused("type a file name (Escape cancels)")
            return typed_file_path(value, self._file_in or Path.cwd())
        except PathRefused as exc:
            self.update(inert(str(exc)))
            self.app.bell()
            return None


class PromptScreen(Dialog[str | None]):
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 72; max-width: 100%; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    PromptScreen #help, PromptScreen #folder { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        help: str = "",
        password: bool = False,
        paths: bool = False,
        file_in: Path | None = None,
        choices: Sequence[str] = (),
    ) -> None:
        """`paths`: the box completes paths. `file_in`: the box asks for a file, a relative
        path being in that folder; the answer is then the file's absolute path, and one that
        cannot be a file (a folder, an unknown ~user) is refused in the dialog."""
        super().__init__()
        self._title = title
        self._value = value
        self._help = help
        self._password = password
        self._suggester: Suggester | None = None
        self._file_in = file_in
        self._paths = paths or file_in is not None
        if self._paths:
            self._suggester = PathSuggester(file_in)
        elif choices:
            self._suggester = SuggestFromList(choices, case_sensitive=False)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(inert(self._title))
            yield TextBox(
                self._value,
                password=self._password,
                suggester=self._suggester,
                id="value",
            )
            if self._paths:
                yield FolderLine(self._value, self._file_in)
            yield Static(inert(self._help or "Enter to accept, Escape to cancel"), id="help")

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._paths:
            self.query_one(FolderLine).follow(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._file_in is None:
            self.dismiss(event.value)
        elif path := self.query_one(FolderLine).file_path(event.value):
            self.dismiss(str(path))
