"""One renewal at a time per certificate store.

An fcntl.flock on STORE/.lock: the kernel drops it when the process ends in any way (a
SIGKILL, a power cut's reboot), so a crashed run never leaves a lock that blocks the next one,
and no pid has to be checked. The pid written into the file is only for the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from tui.acme.errors import InputError

LOCK_FILE = ".lock"


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        if text.isdigit():
            return f" (pid {text})"
    return ""


@contextlib.contextmanager
def store_lock(store: Path, wait: float = 0.0) -> Iterator[None]:
    """Held for the block. Another holder: waits up to `wait` seconds, then InputError."""
    try:
        store.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(store / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise InputError(f"{store}: cannot lock the certificate store ({exc.strerror})") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        f"{store}: another acmedash is renewing certificates of this store"
                        f"{_holder(fd)}; nothing was done, run again when it has finished"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
