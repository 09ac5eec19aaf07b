"""Atomic file writes: a crash or a full disk never leaves half a key or half a config file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """Write `data` to a temp file beside `path`, fsync, then rename it into place.

    With `overwrite=False` the final step is a hard link, which fails if `path` exists, so even
    a race with another process cannot replace an existing file (keys are never silently lost).
    """
    if not path.parent.is_dir():  # a stat; mkdir on an existing folder costs a failed syscall
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
