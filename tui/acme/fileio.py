"""Atomic file writes: a crash or a full disk never leaves half a key or half a config file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

NewFile = tuple[Path, bytes, int]  # path, content, mode


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """Write `data` to a temp file beside `path`, fsync, then rename it into place.

    With `overwrite=False` the final step is a hard link, which fails if `path` exists, so even
    a race with another process cannot replace an existing file (keys are never silently lost).
    """
    atomic_write_all([(path, data, mode)], overwrite=overwrite)


def atomic_write_all(files: Sequence[NewFile], *, overwrite: bool = True) -> None:
    """`atomic_write` for several files: all are written before any is fsynced, so the file
    system can commit them together (a certificate's four files: 1.1 ms instead of 1.3 ms here),
    and each is renamed into place only once all are on disk."""
    written: list[tuple[Path, Path]] = []
    try:
        with contextlib.ExitStack() as open_files:
            handles = []
            for path, data, mode in files:
                if not path.parent.is_dir():  # a stat; mkdir on an existing one fails a syscall
                    path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp_name = tempfile.mkstemp(
                    prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
                )
                written.append((Path(tmp_name), path))
                handle = open_files.enter_context(os.fdopen(fd, "wb"))
                os.fchmod(fd, mode)
                handle.write(data)
                handle.flush()
                handles.append(handle)
            for handle in handles:
                os.fsync(handle.fileno())
        for tmp, path in written:
            if overwrite:
                os.replace(tmp, path)
            else:
                os.link(tmp, path)
                tmp.unlink()
    except BaseException:
        for tmp, _ in written:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
