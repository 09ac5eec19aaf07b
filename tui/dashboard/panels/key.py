"""Account key panel: which file, what key, and whether its file mode is safe. Shows only public
material (type, JWK thumbprint)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tui.dashboard.panels.pane import Pane
from tui.dashboard.untrusted import printable

if TYPE_CHECKING:
    from tui.acme.jose import PrivateKey


def loose_mode(path: Path) -> int | None:
    """The file mode when group or others can read it, else None."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    return mode if mode & 0o077 else None


class KeyPanel(Pane):
    """Its children exist before it is mounted, so it can be filled while its tab waits."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._info = Static(id="key-info")

    def compose(self) -> ComposeResult:
        yield self._info
        yield Static("o: open a key file   g: generate a key   m: fix file mode", id="key-help")

    def show_key(self, path: Path | None, key: PrivateKey | None, problem: str = "") -> None:
        from tui.acme import jose, keys

        text = Text()
        if path is None:
            text.append("No account key.\nPress o to open one or g to generate one.")
        elif key is None:
            text.append(f"{printable(str(path))}\n")
            text.append(printable(problem or "not loaded"), style="bold red")
        else:
            mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0
            text.append(
                f"{printable(str(path))}\n"
                f"type:       {keys.describe_key(key)} ({jose.algorithm(key)})\n"
                f"thumbprint: {jose.thumbprint(jose.public_jwk(key))}\n"
                f"mode:       {mode:04o}"
            )
            if loose_mode(path) is not None:
                warning = "\nwarning: group or others can read this key; m: chmod 600"
                text.append(warning, style="bold yellow")
        self._info.update(text)
