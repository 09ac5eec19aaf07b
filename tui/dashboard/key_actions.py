"""The account key keys (o g m) and the passphrase question: which file, generated where,
made private. Loading itself is Workspace.load_key; the screen shows the result."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from tui.acme.errors import InputError
from tui.dashboard.panels.key import loose_mode
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.view import View


class KeyView(View, Protocol):
    def load_key(self, path: Path | None, passphrase: str | None = None) -> None:
        """Loads the key at `path` and shows it (or why it did not load)."""
        ...

    def use_key_file(self, path: Path) -> None:
        """Makes `path` the account key, in the settings too."""
        ...


async def ask_passphrase(view: KeyView, path: Path) -> None:
    secret = await view.ask(PromptScreen(f"Passphrase for {path}", password=True))
    if secret:
        view.load_key(path, secret)


async def open_key(view: KeyView) -> None:
    current = str(view.workspace.key_path or "")
    title = "Account key file (PEM, DER or certbot JWK)"
    path = await view.ask(PromptScreen(title, current, paths=True))
    if path:
        view.use_key_file(Path(path).expanduser())


async def generate_key(view: KeyView) -> None:
    """A new key where the user says (next to the current one by default); never overwrites."""
    from tui.acme import keys
    from tui.dashboard.screens.generate_key import GenerateKeyScreen  # Select: not at start-up

    key_path = view.workspace.key_path
    default = str(key_path or view.workspace.place("account.pem"))
    if key_path is not None and key_path.exists():
        default = str(key_path.with_name("account-new.pem"))
    answer = await view.ask(GenerateKeyScreen(default))
    if answer is None:
        return
    from tui.acme.fileio import created_folders, missing_folders

    path, key_type = Path(answer[0]).expanduser(), answer[1]
    created = missing_folders(path)
    try:
        keys.save_key(keys.generate_key(key_type), path)
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return
    made = f"; created {created_folders(created)}" if created else ""
    view.notify(f"Generated {key_type} key at {path}{made}")
    view.use_key_file(path)


def fix_key_mode(view: KeyView) -> None:
    """chmod 600 a key file that group or others can read."""
    path = view.workspace.key_path
    if path is None or loose_mode(path) is None:
        view.notify("The key file's mode is already private.")
        return
    try:
        os.chmod(path, 0o600)
    except OSError as exc:
        view.notify(f"chmod failed: {exc.strerror}", severity="error")
        return
    view.load_key(path)
    view.notify(f"{path} is now 0600")
