"""Atomic writes: all or nothing per file, modes as asked, no temp files left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.acme.fileio import atomic_write, atomic_write_all


def test_files_land_whole_with_their_modes(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "site"
    atomic_write_all([(folder / "cert.pem", b"cert", 0o644), (folder / "privkey.pem", b"k", 0o600)])
    assert (folder / "cert.pem").read_bytes() == b"cert"
    assert stat.S_IMODE((folder / "privkey.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "cert.pem").stat().st_mode) == 0o644
    assert sorted(p.name for p in folder.iterdir()) == ["cert.pem", "privkey.pem"]


def test_a_failure_replaces_nothing_and_leaves_no_temp_files(tmp_path: Path) -> None:
    """The second file cannot be written (its folder is a file): the first keeps its old
    content, as no file is renamed before all are on disk."""
    (tmp_path / "cert.pem").write_bytes(b"old")
    (tmp_path / "blocked").write_bytes(b"a file where a folder should be")
    with pytest.raises(OSError):
        atomic_write_all(
            [(tmp_path / "cert.pem", b"new", 0o644), (tmp_path / "blocked" / "x.pem", b"x", 0o644)]
        )
    assert (tmp_path / "cert.pem").read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["blocked", "cert.pem"]


def test_no_overwrite_keeps_an_existing_file(tmp_path: Path) -> None:
    key = tmp_path / "account.pem"
    key.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        atomic_write(key, b"other", overwrite=False)
    assert key.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["account.pem"]
