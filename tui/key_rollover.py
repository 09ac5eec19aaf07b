"""A key rollover with what follows it, the one both front ends call: the account moves to the
new key (accounts.rollover) and every renewal.toml that named the old key at this CA names the
new one (inventory.follow_rollover). Its own module, above both: accounts.rollover cannot call
inventory itself (accounts -> inventory -> workflow -> accounts would be a circle)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui import accounts, inventory
from tui.acme.errors import InputError

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.session import Session


@dataclass(frozen=True)
class Followed:
    rollover: accounts.Rollover
    moved: list[Path]  # the managed folders whose renewal.toml now names the new key


async def rollover(
    session: Session,
    client: AcmeClient,
    new_path: Path,
    store: Path,
    load: accounts.KeyLoader = accounts.load_key,
) -> Followed:
    """The session's key (the old one) is read before the rollover replaces it. A renewal
    still naming the old key would fail: the CA refuses it once the account has moved."""
    if session.key_path is None:
        raise InputError("no account key to roll over from: load one first")
    old_path = session.key_path
    done = await accounts.rollover(session, client, new_path, load)
    moved = inventory.follow_rollover(store, client.directory_url, old_path, done.key_path)
    return Followed(done, moved)
