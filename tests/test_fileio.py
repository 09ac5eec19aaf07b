"""Durable writes: whole files with their modes, no temp files left behind, and the temp files
of a killed writer recognised and swept."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tui.acme.fileio import atomic_write, replace_symlink, sweep_stale, temp_name


def test_files_land_whole_with_their_modes(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "site"
    atomic_write(folder / "cert.pem", b"cert", mode=0o644)
    atomic_write(folder / "privkey.pem", b"k")
    assert (folder / "cert.pem").read_bytes() == b"cert"
    assert stat.S_IMODE((folder / "privkey.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "cert.pem").stat().st_mode) == 0o644
    assert sorted(p.name for p in folder.iterdir()) == ["cert.pem", "privkey.pem"]


def test_a_failure_replaces_nothing_and_leaves_no_temp_files(tmp_path: Path) -> None:
    """The target is a folder: the rename fails, the temp file goes."""
    (tmp_path / "cert.pem").mkdir()
    with pytest.raises(OSError):
        atomic_write(tmp_path / "cert.pem", b"new")
    assert os.listdir(tmp_path) == ["cert.pem"]


def test_no_overwrite_keeps_an_existing_file(tmp_path: Path) -> None:
    key = tmp_path / "account.pem"
    key.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        atomic_write(key, b"other", overwrite=False)
    assert key.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["account.pem"]


def test_replace_symlink_switches_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    replace_symlink(tmp_path / "current", "a")
    replace_symlink(tmp_path / "current", "b")
    assert os.readlink(tmp_path / "current") == "b"
    assert sorted(os.listdir(tmp_path)) == ["a", "b", "current"]


def test_sweep_removes_what_dead_or_old_writers_left_and_nothing_else(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    ours = tmp_path / temp_name("cert.pem")
    ours.write_text("being written")
    by_the_dead = tmp_path / ours.name.replace(f"-{os.getpid()}-", f"-{dead_pid}-")
    (by_the_dead / "inside").mkdir(parents=True)
    old = tmp_path / ".x.acmedash-1-00ff.tmp"
    old.write_text("pid 1 lives, but this is old")
    legacy = tmp_path / ".cert.pem.abcdefgh.tmp"
    legacy.write_text("old code's temp file")
    young_legacy = tmp_path / ".chain.pem.abcdefgh.tmp"
    young_legacy.write_text("maybe in use")
    for path in (old, legacy):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    (tmp_path / "cert.pem").write_text("keep")
    (tmp_path / ".hidden.tmp").write_text("not ours")
    removed = sweep_stale(tmp_path, re.compile(r"\.(cert|chain)\.pem\.[a-z]{8}\.tmp"))
    assert removed == 3
    assert sorted(os.listdir(tmp_path)) == sorted(
        [ours.name, young_legacy.name, "cert.pem", ".hidden.tmp"]
    )
