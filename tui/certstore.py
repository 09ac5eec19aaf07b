"""Where certificates live on disk: one folder per certificate with cert.pem, chain.pem,
fullchain.pem and privkey.pem (0600), each written atomically. Files being replaced are first
copied to archive/<UTC time>/, so an earlier certificate is never lost."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tui.acme.certificates import Chain
from tui.acme.errors import InputError
from tui.acme.fileio import atomic_write, atomic_write_all

FILES = ("cert.pem", "chain.pem", "fullchain.pem", "privkey.pem")


@dataclass(frozen=True)
class Saved:
    folder: Path
    cert: Path
    chain: Path
    fullchain: Path
    privkey: Path | None
    archived: Path | None


def _split(chain_pem: str) -> tuple[str, str]:
    """(leaf PEM, issuers PEM) from a PEM chain as the CA sent it."""
    end = "-----END CERTIFICATE-----"
    cut = chain_pem.index(end) + len(end)
    return chain_pem[:cut].strip() + "\n", chain_pem[cut:].strip() + "\n"


def _archive(paths: list[Path], folder: Path) -> Path | None:
    """Copies those of `paths` that exist to folder/archive/<UTC time>/; returns that folder."""
    existing = [path for path in paths if path.exists()]
    if not existing:
        return None
    archived = folder / "archive" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    archived.mkdir(parents=True)
    for path in existing:
        shutil.copy2(path, archived / path.name)
    return archived


def save_chain_file(path: Path, fullchain: Path) -> Path | None:
    """Also writes the full chain to `path` (the NeoPrime acme.ini's ChainFile); a file already
    there is first copied to archive/ beside it. Returns that archive folder, if any."""
    try:
        archived = _archive([path], path.parent)
        atomic_write(path, fullchain.read_bytes(), mode=0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the chain file ({exc.strerror})") from None
    return archived


def save(folder: Path, chain: Chain, private_key_pem: bytes | None) -> Saved:
    """`private_key_pem` is None when the user brought a CSR (we never had the key)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        archived = _archive([folder / name for name in FILES], folder)
        leaf, issuers = _split(chain.pem)
        privkey = folder / "privkey.pem"
        files = [
            (folder / "cert.pem", leaf.encode(), 0o644),
            (folder / "chain.pem", issuers.encode(), 0o644),
            (folder / "fullchain.pem", (leaf + issuers).encode(), 0o644),
        ]
        if private_key_pem is not None:
            files.append((privkey, private_key_pem, 0o600))
        atomic_write_all(files)
        if private_key_pem is None and privkey.exists():
            privkey.unlink()  # it belonged to the old certificate; a copy is in the archive
        privkey_saved = privkey if private_key_pem is not None else None
    except OSError as exc:
        raise InputError(f"{folder}: cannot save the certificate ({exc.strerror})") from None
    return Saved(
        folder,
        folder / "cert.pem",
        folder / "chain.pem",
        folder / "fullchain.pem",
        privkey_saved,
        archived,
    )
