"""The account key keys (o g m K) and the passphrase question: which file, generated where,
made private, rolled over to. Loading itself is Workspace.load_key, the rollover
key_rollover.rollover (as `account rollover`); the screen shows the result.

A key file the user does not name, or names by a relative path, goes beside the current key
(in the demo: its throwaway folder), never into whatever folder acmedash was started from; a
key file is written 0600 and never over an existing file (keys.save_key)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.acme.errors import InputError
from tui.acme.key_types import DEFAULT_KEY_TYPE
from tui.dashboard.panels.key import loose_mode
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.view import View
from tui.words import counted

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient


class KeyView(View, Protocol):
    def load_key(self, path: Path | None, passphrase: str | None = None) -> None:
        """Loads the key at `path` and shows it (or why it did not load)."""
        ...

    def use_key_file(self, path: Path, passphrase: str | None = None) -> None:
        """Makes `path` the account key, in the settings too, once it loads."""
        ...


async def ask_passphrase(
    view: KeyView, path: Path, opened: Callable[[Path, str], None], wrong: str = ""
) -> None:
    """`opened` (load_key, use_key_file) is given the passphrase typed; Escape gives none.
    `wrong`: why the one typed before did not open the key (the question came back blank)."""
    help = f"{wrong}: type it again, or Escape" if wrong else ""
    secret = await view.ask(PromptScreen(f"Passphrase for {path}", password=True, help=help))
    if secret:
        opened(path, secret)


async def open_key(view: KeyView) -> None:
    current = str(view.workspace.key_path or "")
    title = "Account key file (PEM, DER or certbot JWK)"
    path = await view.ask(PromptScreen(title, current, file_in=view.workspace.folder))
    if path:
        view.use_key_file(Path(path))


async def generate_key(view: KeyView) -> None:
    """A new key where the user says (next to the current one by default); never overwrites."""
    from tui.acme import keys
    from tui.dashboard.screens.generate_key import GenerateKeyScreen  # Select: not at start-up

    key_path = view.workspace.key_path
    default = str(key_path or view.workspace.place("account.pem"))
    if key_path is not None and key_path.exists():
        default = str(key_path.with_name("account-new.pem"))
    answer = await view.ask(GenerateKeyScreen(default, view.workspace.folder))
    if answer is None:
        return
    from tui.acme.fileio import created_folders, missing_folders

    path, key_type = Path(answer[0]), answer[1]
    created = missing_folders(path)
    try:
        keys.save_key(keys.generate_key(key_type), path)
    except InputError as exc:
        view.notify(str(exc), severity="error")
        return
    made = f"; created {created_folders(created)}" if created else ""
    view.use_key_file(path)
    # said: the Key tab changed under the dialog, and the toast named only the new file
    view.notify(f"Generated {key_type} key at {path}{made}; it is the account key now")


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


def _free_name(folder: Path, stem: str) -> Path:
    """`stem.pem`, else `stem-2.pem`, ...: the first name no file has."""
    path, number = folder / f"{stem}.pem", 1
    while path.exists() or path.is_symlink():
        number += 1
        path = folder / f"{stem}-{number}.pem"
    return path


async def rollover(view: KeyView) -> None:
    """RFC 8555 §7.3.5 as accounts.rollover does it: the account moves to another key file,
    generated when missing (once the production question is answered and the account is
    known); the settings follow, then the screen. An existing file named is used as the new
    key, never written over."""
    if not view.need_key() or (key_path := view.workspace.key_path) is None:
        return
    folder = key_path.absolute().parent
    title = f"New account key file (generated as {DEFAULT_KEY_TYPE} if it does not exist)"
    default = str(_free_name(folder, "account-next"))
    answer = await view.ask(PromptScreen(title, default, file_in=folder))
    if not answer:
        return
    path = Path(answer)

    async def operation(client: AcmeClient) -> str:
        from tui import key_rollover
        from tui.dashboard.orders import store

        done = await key_rollover.rollover(view.workspace.session, client, path, store(view))
        view.use_key_file(path)
        made = f" (a new {DEFAULT_KEY_TYPE} key, 0600)" if done.rollover.generated else ""
        return (
            f"The account now uses {path}{made}; "
            f"{counted(len(done.moved), 'certificate')} will renew with it (renewal.toml)"
        )

    view.run("Key rollover", operation, changes_state=True)
