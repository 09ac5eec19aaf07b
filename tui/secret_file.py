"""Secrets read from files, as ssh reads its keys: only from a file no one else can read.

A secret on the command line is visible to every user of the machine (`ps`, /proc/PID/cmdline);
a file is not, as long as its mode says so. A file that others can read or that belongs to
someone else is refused rather than used: the secret may already have leaked, and the user
should know. Messages name the file and the reason, never the content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tui.acme.errors import InputError

MAX_SECRET_BYTES = 64 * 1024


def _check(info: os.stat_result, path: Path, what: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: the {what} file is not a regular file")
    if info.st_uid != os.getuid():
        raise InputError(
            f"{path}: the {what} file belongs to another user (uid {info.st_uid}); it must be yours"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o177:
        raise InputError(
            f"{path}: the {what} file has mode {mode:04o}, so others may read it; "
            f"it must be 0600 or 0400 (chmod 600 {path})"
        )


def _read_up_to(fd: int, limit: int) -> bytes:
    data = b""
    while len(data) < limit and (chunk := os.read(fd, limit - len(data))):
        data += chunk
    return data


def read_secret_file(path: Path, what: str) -> str:
    """The file's text, whitespace stripped. InputError unless it is a regular file owned by
    this user with no permission for group or others (0600 or 0400)."""
    try:
        # O_NONBLOCK: a FIFO put where the file should be must not hang us on open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
    try:
        _check(os.fstat(fd), path, what)
        data = _read_up_to(fd, MAX_SECRET_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_SECRET_BYTES:
        raise InputError(f"{path}: the {what} file is larger than {MAX_SECRET_BYTES} bytes")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InputError(f"{path}: the {what} file is not UTF-8 text") from None
    if not text:
        raise InputError(f"{path}: the {what} file is empty")
    return text
