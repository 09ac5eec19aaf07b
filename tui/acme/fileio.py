"""Durable file writes: a crash or a full disk never leaves half a key or half a config file,
and what a killed process leaves behind can be recognised and swept later.

Every temporary name we create is `.NAME.acmedash-PID-RANDOM.tmp`: the PID says whether its
writer still runs, so a later writer can remove what a dead one left (`sweep_stale`).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

NewFile = tuple[str, bytes, int]  # name, content, mode
STALE_AFTER = 15 * 60.0  # seconds: a temp file this old is left over, whoever made it
_TEMP = re.compile(r"\..+\.acmedash-(\d+)-[0-9a-f]+\.tmp")


def temp_name(name: str) -> str:
    return f".{name}.acmedash-{os.getpid()}-{os.urandom(4).hex()}.tmp"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        import shutil  # rare (a left-over temp folder), and 3 ms of every start-up

        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def sweep_stale(folder: Path, legacy: re.Pattern[str] | None = None) -> int:
    """Removes our temp files and folders in `folder` whose writer is dead or that are older
    than STALE_AFTER; with `legacy`, also names it matches that are older than that (temp
    files of earlier versions, which carry no PID). Returns how many were removed."""
    removed = 0
    now = time.time()
    with os.scandir(folder) as entries:
        for entry in entries:
            match = _TEMP.fullmatch(entry.name)
            if match is None and (legacy is None or legacy.fullmatch(entry.name) is None):
                continue
            try:
                old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            except FileNotFoundError:
                continue
            if old or (match is not None and not _alive(int(match.group(1)))):
                _remove(Path(entry.path))
                removed += 1
    return removed


def fsync_folder(folder: Path, dir_fd: int | None = None) -> None:
    """Makes the folder's entries (new names, renames, links) durable. `dir_fd`: `folder` is
    relative to that open folder."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY, dir_fd=dir_fd)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_files(folder: Path, files: Sequence[NewFile], dir_fd: int | None = None) -> None:
    """Creates each file in `folder` (which must not hold them yet), then fsyncs them all:
    written together first, so the file system can commit them together. `dir_fd`: `folder`
    is relative to that open folder."""
    fds: list[int] = []
    try:
        for name, data, mode in files:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            fd = os.open(folder / name, flags, mode, dir_fd=dir_fd)
            fds.append(fd)
            os.fchmod(fd, mode)  # whatever the umask
            with os.fdopen(os.dup(fd), "wb") as handle:
                handle.write(data)
        for fd in fds:
            os.fsync(fd)
    finally:
        for fd in fds:
            os.close(fd)


def replace_symlink(link: Path, target: str) -> None:
    """Points `link` at `target` in one step (a new link renamed over the old one), so a
    reader sees the old target or the new one, never none."""
    tmp = link.parent / temp_name(link.name)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def missing_folders(path: Path) -> list[Path]:
    """The folders above `path` that do not exist yet, outermost first: atomic_write makes
    them, and a command that writes a key says so rather than creating them silently."""
    missing = []
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def created_folders(folders: list[Path]) -> str:
    """missing_folders' answer for a message, once they are made."""
    if len(folders) == 1:
        return f"folder {folders[0]} (it did not exist)"
    return f"folders {', '.join(map(str, folders))} (they did not exist)"


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """Write `data` to a temp file beside `path`, fsync, rename it into place, fsync the folder.

    With `overwrite=False` the final step is a hard link, which fails if `path` exists, so even
    a race with another process cannot replace an existing file (keys are never silently lost).
    """
    if not path.parent.is_dir():  # a stat; mkdir on an existing one fails a syscall
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / temp_name(path.name)
    try:
        write_new_files(path.parent, [(tmp.name, data, mode)])
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_folder(path.parent)
