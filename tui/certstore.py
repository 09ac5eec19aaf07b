"""Where certificates live on disk, switched in one atomic step as certbot's live/ does.

    FOLDER/cert.pem      -> current/cert.pem      (likewise chain.pem, fullchain.pem,
    FOLDER/current       -> archive/<UTC time>     privkey.pem: relative symlinks)
    FOLDER/archive/<UTC time>/cert.pem chain.pem fullchain.pem privkey.pem (0600)

A save writes a complete new version under archive/ (files and folder fsynced), then renames
one new `current` symlink over the old one: the four public paths switch together, so a crash
at any moment leaves cert.pem and privkey.pem of the same version. Every earlier version stays
in archive/. A folder of the old layout (plain files) is moved into this one on its next save,
without loss; what a killed save left behind is swept on the next one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tui.acme.certificates import Chain, to_pem
from tui.acme.errors import InputError
from tui.acme.fileio import (
    NewFile,
    atomic_write,
    fsync_folder,
    replace_symlink,
    sweep_stale,
    temp_name,
    write_new_files,
)

FILES = ("cert.pem", "chain.pem", "fullchain.pem", "privkey.pem")
CURRENT = "current"
ARCHIVE = "archive"
# Written beside the layout by tui.renewal (its SETTINGS_FILE and STATUS_FILE; that module sits
# above this one): a renewal reads and replaces them, so they must be plain files too.
RECORDS = ("renewal.toml", "renewal-status.json")
# What acmedash's own `current` link holds: one version folder in archive/.
_OWN_CURRENT = re.compile(rf"{ARCHIVE}/(?!\.\.?$)[^/]+")
# Temp files of the layout before this one (tempfile.mkstemp beside each public file).
_LEGACY_TEMP = re.compile(r"\.(cert|chain|fullchain|privkey)\.pem\.[a-z0-9_]{8}\.tmp")


@dataclass(frozen=True)
class Saved:
    folder: Path
    cert: Path
    chain: Path
    fullchain: Path
    privkey: Path | None
    archived: Path | None  # the version that was current before, kept in archive/


def _lstat(path: Path) -> os.stat_result | None:
    """None when there is nothing to check (or no way to: the write that follows says why)."""
    try:
        return os.lstat(path)
    except OSError:
        return None


def _unlike(path: Path, info: os.stat_result, kind: str) -> str:
    if stat.S_ISLNK(info.st_mode):
        return f"{path} is a symbolic link (to {os.readlink(path)})"
    return f"{path} is not a {kind}"


def _foreign_archive(folder: Path) -> str | None:
    """Why folder/archive is not acmedash's to write into, if it is not: a symlink there would
    carry every version, private keys included, into a folder the user never named."""
    path = folder / ARCHIVE
    info = _lstat(path)
    if info is None:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return _unlike(path, info, "folder")
    if info.st_uid != os.geteuid():
        return f"{path} belongs to another user (uid {info.st_uid})"
    return None


def _foreign_entry(folder: Path) -> str | None:
    """Why the folder holds something acmedash's layout never makes, if it does. A save
    replaces `current` and the public links and reports the old `current` as the version it
    kept, so a link of someone else's would be silently dropped (or named as a version).
    Plain certificate files are the layout before this one and are migrated."""
    found = _foreign_archive(folder)
    if found:
        return found
    current = folder / CURRENT
    info = _lstat(current)
    if info is not None and not (
        stat.S_ISLNK(info.st_mode) and _OWN_CURRENT.fullmatch(os.readlink(current))
    ):
        return _unlike(current, info, f"link into {ARCHIVE}/")
    for name in (*FILES, *RECORDS):
        path = folder / name
        info = _lstat(path)
        if info is None or stat.S_ISREG(info.st_mode):
            continue
        if (
            name in FILES
            and stat.S_ISLNK(info.st_mode)
            and os.readlink(path) == f"{CURRENT}/{name}"
        ):
            continue
        return _unlike(path, info, "plain file")
    return None


def _refuse_foreign(folder: Path, consequence: str) -> None:
    found = _foreign_entry(folder)
    if found:
        raise InputError(
            f"{found}, which acmedash did not make: refused ({consequence}); name a new or "
            "empty folder, or remove it"
        )


def _archive(paths: list[Path], folder: Path) -> Path | None:
    """Copies those of `paths` that exist to folder/archive/<UTC time>/; returns that folder."""
    existing = [path for path in paths if path.exists()]
    if not existing:
        return None
    found = _foreign_archive(folder)
    if found:
        raise InputError(f"{found}, which acmedash did not make: refused")
    archived = folder / ARCHIVE / _now()
    archived.mkdir(parents=True)
    for path in existing:
        shutil.copy2(path, archived / path.name)
    return archived


def _now() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def save_chain_file(path: Path, fullchain: Path) -> Path | None:
    """Also writes the full chain to `path` (the NeoPrime acme.ini's ChainFile); a file already
    there is first copied to archive/ beside it. Returns that archive folder, if any."""
    try:
        archived = _archive([path], path.parent)
        atomic_write(path, fullchain.read_bytes(), mode=0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the chain file ({exc.strerror})") from None
    except InputError as exc:
        raise InputError(f"{path}: cannot write the chain file: {exc}") from None
    return archived


def _make_folder(folder: Path) -> None:
    """The folder, made durable in its parent when it is new."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    fsync_folder(folder.parent)


def check_writable(folder: Path) -> None:
    """Before ordering: the folder can be made and written, so that a certificate is not
    issued only to find it cannot be saved."""
    _refuse_foreign(folder, "nothing was ordered")
    try:
        _make_folder(folder)
        probe = folder / temp_name("probe")
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as exc:
        raise InputError(
            f"{folder}: cannot create or write the certificate folder ({exc.strerror}); "
            "nothing was ordered"
        ) from None


def _write_version(folder: Path, files: list[NewFile]) -> Path:
    """A complete new version in archive/: written and fsynced in a temp folder, renamed to
    its final name, archive/ fsynced. Returns it. archive/ is opened once without following a
    link and everything is made through that descriptor: one swapped for a link after
    _refuse_foreign looked fails here instead of taking the key elsewhere."""
    archive = os.open(folder / ARCHIVE, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        tmp = temp_name("version")
        os.mkdir(tmp, 0o755, dir_fd=archive)
        write_new_files(Path(tmp), files, dir_fd=archive)
        fsync_folder(Path(tmp), dir_fd=archive)
        stamp = _now()
        for attempt in range(100):
            version = stamp if attempt == 0 else f"{stamp}-{attempt}"
            try:  # fails on a non-empty folder of that name
                os.rename(tmp, version, src_dir_fd=archive, dst_dir_fd=archive)
                break
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
        else:
            raise FileExistsError(errno.EEXIST, "no free version name", str(folder / ARCHIVE))
        os.fsync(archive)
    finally:
        os.close(archive)
    return folder / ARCHIVE / version


def _current(folder: Path) -> Path | None:
    """The version `current` points at, if it is one."""
    try:
        target = folder / os.readlink(folder / CURRENT)
    except OSError:  # no link, or not a link
        return None
    return target if target.is_dir() else None


def _plain(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _same(path: Path, other: Path) -> bool:
    with contextlib.suppress(OSError):
        return path.read_bytes() == other.read_bytes()
    return False


def _migrate(folder: Path) -> None:
    """Plain public files (the layout before this one, or a save killed while migrating)
    become symlinks through `current`. Their content is kept as a version in archive/ first,
    unless `current` already holds the same bytes; with no `current` yet, that version becomes
    current, so the public paths show the same content before and after each step."""
    plain = [name for name in FILES if _plain(folder / name)]
    if not plain:
        return
    current = _current(folder)
    kept = [n for n in plain if current is None or not _same(folder / n, current / n)]
    if kept:
        files = [(n, (folder / n).read_bytes(), (folder / n).stat().st_mode & 0o777) for n in kept]
        version = _write_version(folder, files)
        if current is None:
            replace_symlink(folder / CURRENT, f"{ARCHIVE}/{version.name}")
    for name in plain:
        replace_symlink(folder / name, f"{CURRENT}/{name}")
    fsync_folder(folder)


def _link(folder: Path, name: str) -> None:
    """FOLDER/name -> current/name, made once and then left alone."""
    path = folder / name
    if path.is_symlink() and os.readlink(path) == f"{CURRENT}/{name}":
        return
    replace_symlink(path, f"{CURRENT}/{name}")


def save(folder: Path, chain: Chain, private_key_pem: bytes | None) -> Saved:
    """`private_key_pem` is None when the user brought a CSR (we never had the key): the new
    version has no privkey.pem and the public privkey.pem link goes, after the switch."""
    # Serialised from the parsed certificates, never cut from the CA's text: cert.pem is the
    # leaf that was checked against the key, whatever else the CA's bytes held.
    leaf, issuers = to_pem(chain.certificates[:1]), to_pem(chain.certificates[1:])
    files: list[NewFile] = [
        ("cert.pem", leaf, 0o644),
        ("chain.pem", issuers, 0o644),
        ("fullchain.pem", leaf + issuers, 0o644),
    ]
    if private_key_pem is not None:
        files.append(("privkey.pem", private_key_pem, 0o600))
    # Again here: the folder may have changed while the order ran (and a dashboard save of a
    # certificate ordered elsewhere comes here first).
    _refuse_foreign(folder, "nothing was saved there")
    try:
        _make_folder(folder)
        (folder / ARCHIVE).mkdir(exist_ok=True)
        sweep_stale(folder, _LEGACY_TEMP)
        sweep_stale(folder / ARCHIVE)
        _migrate(folder)
        previous = _current(folder)
        version = _write_version(folder, files)
        for name, _, _ in files:
            _link(folder, name)
        replace_symlink(folder / CURRENT, f"{ARCHIVE}/{version.name}")
        if private_key_pem is None and (folder / "privkey.pem").is_symlink():
            (folder / "privkey.pem").unlink()  # it named the old version's key, still archived
        fsync_folder(folder)
    except OSError as exc:
        raise InputError(f"{folder}: cannot save the certificate ({exc.strerror})") from None
    return Saved(
        folder,
        folder / "cert.pem",
        folder / "chain.pem",
        folder / "fullchain.pem",
        folder / "privkey.pem" if private_key_pem is not None else None,
        previous,
    )
