"""STORE/.lock is never followed nor truncated unless it is a regular file of ours (attacker
review, finding 3): the store may be writable by a user the root timer (`schedule --system`)
must not let overwrite root's files through a link. Runs the real command; no CA is reached
(the refusal comes first), so none is started."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliRunner


def _symlink(victim: Path, lock: Path) -> None:
    lock.symlink_to(victim)


def _hard_link(victim: Path, lock: Path) -> None:
    os.link(victim, lock)


@pytest.mark.parametrize("make", [_symlink, _hard_link], ids=["symlink", "hard-link"])
def test_a_linked_lock_file_is_refused_and_its_target_untouched(
    cli: CliRunner, make: Callable[[Path, Path], None]
) -> None:
    victim = cli.workdir / "victim.txt"
    victim.write_text("precious\n")
    store = cli.workdir / "certs"
    store.mkdir()
    make(victim, store / ".lock")
    run = cli("cert", "renew", "--all")
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert ".lock" in run.stderr
    assert victim.read_text() == "precious\n"


def test_a_lock_that_is_not_a_regular_file_is_refused(cli: CliRunner) -> None:
    store = cli.workdir / "certs"
    (store / ".lock").mkdir(parents=True)
    run = cli("cert", "renew", "--all")
    assert run.returncode == 2 and ".lock" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_our_own_lock_file_is_reused(cli: CliRunner) -> None:
    """The lock a previous run left behind (a regular file of ours) is taken again."""
    store = cli.workdir / "certs"
    store.mkdir()
    (store / ".lock").write_text("12345\n")
    os.chmod(store / ".lock", 0o600)
    run = cli("cert", "renew", "--all")
    assert run.returncode == 0, run.stderr
    assert (store / ".lock").read_text() != "12345\n"
