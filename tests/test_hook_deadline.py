"""A hook that hangs (issue 10's "a dns hook that hangs"): it ends as an input error naming the
hook, exit 2, and neither it nor anything it started is left running, also when the command
is cancelled instead."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.conftest import ValidatingPebble, reach
from tui.acme import hooks
from tui.acme.challenges import DnsHookSolver
from tui.acme.errors import InputError
from tui.acme.identifiers import identifier_for
from tui.cli.command import run


def _hanging(folder: Path) -> str:
    """A hook that notes its process id and that of a child it starts, then waits forever."""
    return f"sleep 300 & echo $$ $! > {folder / 'pids'}; wait"


def _running(pid: int) -> bool:
    """A zombie is not running: the killed `sleep` is orphaned to PID 1, which in a container
    need not reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone(folder: Path) -> None:
    pids = [int(p) for p in (folder / "pids").read_text().split()]
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still running: {pids}"
        time.sleep(0.05)


async def test_a_hanging_dns_hook_is_stopped_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "HOOK_DEADLINE", 0.5)
    solver = DnsHookSolver(_hanging(tmp_path))
    with pytest.raises(InputError, match=r"acmedash-dns-hook did not finish within 0.5 s"):
        await solver.present(identifier_for("hang.test"), "token", "key-auth")
    _gone(tmp_path)


async def test_a_cancelled_hook_leaves_nothing_running(tmp_path: Path) -> None:
    task = asyncio.create_task(
        DnsHookSolver(_hanging(tmp_path)).present(identifier_for("hang.test"), "token", "key-auth")
    )
    while not (tmp_path / "pids").exists():
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    _gone(tmp_path)


def test_the_cli_says_which_hook_hung(
    validating: ValidatingPebble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Against Pebble, so the hook runs where it would: after the order, for its challenge.
    Before, the command waited for the hook for ever (or until [timeouts] command, exit 3)."""
    monkeypatch.setattr(hooks, "HOOK_DEADLINE", 1.0)
    base = [*reach(validating.pebble), "--config", str(tmp_path / "c.toml")]
    base += ["--key", str(tmp_path / "k.pem")]
    assert run([*base, "account", "new", "--yes"]) == 0
    code = run([
        *base, "cert", "issue", "-d", "hang.cli.test", "--challenge", "dns-01",
        "--dns-hook", _hanging(tmp_path), "--out", str(tmp_path / "site"),
    ])  # fmt: skip
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("acmedash:")]
    assert code == 2
    assert said == ["acmedash: acmedash-dns-hook did not finish within 1 s; stopped"]
    _gone(tmp_path)
