"""One renewal at a time per certificate store.

An fcntl.flock on STORE/.lock: the kernel drops it when the process ends in any way (a
SIGKILL, a power cut's reboot), so a crashed run never leaves a lock that blocks the next one,
and no pid has to be checked. The pid written into the file is only for the message.

The store may be writable by someone else than the (root) timer that locks it: a symlink or a
hard link at .lock would make us truncate and overwrite its target. So .lock is opened without
following links and is used only when it is a regular file of ours with one link.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
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


_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def _open(path: Path) -> int:
    try:
        fd = os.open(path, _OPEN_FLAGS, 0o600)
    except OSError as exc:
        reason = "a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        raise InputError(f"{path}: cannot lock the certificate store ({reason})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink != 1:
        os.close(fd)
        raise InputError(
            f"{path}: not a regular file of this user with a single link; it was left as it is"
            " (remove it to let acmedash lock the store)"
        )
    return fd


@contextlib.contextmanager
def store_lock(store: Path, wait: float = 0.0) -> Iterator[None]:
    """Held for the block. Another holder: waits up to `wait` seconds, then InputError."""
    try:
        store.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{store}: cannot lock the certificate store ({exc.strerror})") from None
    fd = _open(store / LOCK_FILE)
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
