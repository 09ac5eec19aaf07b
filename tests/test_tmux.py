"""The real `acmedash demo` binary in a real terminal (tmux, 80x24), keys only."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], capture_output=True, text=True, check=True, timeout=10
    ).stdout


def _wait_for(session: str, text: str, timeout: float = 60.0, *, gone: bool = False) -> str:
    """The screen once it shows `text` (or, with `gone`, once it no longer does)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if (text in screen) != gone:
            return screen
        time.sleep(0.2)
    state = "stayed" if gone else "did not appear"
    raise AssertionError(f"{text!r} {state}; screen was:\n{screen}")


def _start_demo(tmp_path: Path) -> tuple[str, Path, Path]:
    """`acmedash demo` in an 80x24 tmux pane, run from a folder of its own (the files the
    demo makes belong in its throwaway folder, never in the folder it was started from)."""
    if shutil.which("tmux") is None or shutil.which("pebble") is None:
        pytest.fail(
            "tmux and pebble must be installed (apt-get install tmux pebble)", pytrace=False
        )
    session = f"acmedash-test-{os.getpid()}"
    acmedash = Path(sys.executable).with_name("acmedash")
    config = tmp_path / "config.toml"
    started_in = tmp_path / "cwd"
    started_in.mkdir()
    command = f"cd {started_in} && ACMEDASH_CONFIG={config} TERM=xterm-256color {acmedash} demo"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    return session, config, started_in


def _press(session: str, key: str, then: str) -> str:
    """Presses `key` and waits for the screen to show `then`: the next key goes to what the
    screen shows, not to what a loaded machine has not mounted yet (a Tab pressed before the
    Orders pane was mounted moved the focus to the traffic list, whose letter keys then opened
    dialogs and switched to production)."""
    _tmux("send-keys", "-t", session, key)
    return _wait_for(session, then)


def _wait_for_exit(session: str, timeout: float = 20.0) -> None:
    """The session ends when the demo's process does: its clean-up is over then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = subprocess.run(
            ["tmux", "has-session", "-t", session], capture_output=True, check=False
        )
        if alive.returncode != 0:
            return
        time.sleep(0.2)
    raise AssertionError(
        f"the demo did not exit; screen was:\n{_tmux('capture-pane', '-p', '-t', session)}"
    )


def test_demo_creates_an_account_and_issues_with_key_presses(tmp_path: Path) -> None:
    """Account (a, Tab to "I agree", Enter), then the Orders tab the way people reach it:
    shift+Tab twice to the tab strip, Right x4, Tab into the names box, type, Enter. The name
    must go into the box (its letters once opened dialogs and switched to production), the
    certificate must be issued for real (Pebble validates http-01 against the demo's own
    responder) and saved in the demo's folder, not where the demo was started."""
    session, config, started_in = _start_demo(tmp_path)
    try:
        _wait_for(session, "d: fetch the directory")
        _press(session, "a", then="Do you agree?")
        _tmux("send-keys", "-t", session, "Tab")  # from the default Cancel to "I agree"
        screen = _press(session, "Enter", then="Account created.")
        assert "POST" in screen and "201" in screen
        _press(session, "BTab", then="▌d: fetch the directory")  # into the CA pane
        _press(session, "BTab", then=" d: fetch the directory")  # out of it, to the tabs
        for content in ("thumbprint:", "mailto:demo@example.org", "K: key rollover"):
            _press(session, "Right", then=content)
        _press(session, "Right", then="Names (space or comma separated)")
        _press(session, "Tab", then="Orders · typing")  # in the names box
        _tmux("send-keys", "-t", session, "-l", "demo.example.org")
        _wait_for(session, "demo.example.org")
        screen = _press(session, "Enter", then="Certificate saved in")
        assert "LOCAL" in screen and "PRODUCTION" not in screen
        assert "acmedash-demo-" in screen, screen
        # Escape and q sent together are read as one Alt+q: q only once Escape has been read.
        _tmux("send-keys", "-t", session, "Escape")
        _wait_for(session, "Orders · typing", gone=True)
        _tmux("send-keys", "-t", session, "q")
        _wait_for_exit(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    assert not config.exists(), "demo never writes the user's settings"
    assert list(started_in.iterdir()) == [], "the demo's files stay in its throwaway folder"


def test_a_killed_demo_clears_its_folder(tmp_path: Path) -> None:
    """New-user review, session 8: a kill (SIGTERM) ended the process on the spot, and the
    demo's folder (its key, Pebble's) stayed in /tmp, though nothing was saved there."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    session = f"acmedash-hup-{os.getpid()}"
    acmedash = Path(sys.executable).with_name("acmedash")
    command = f"TMPDIR={temp} TERM=xterm-256color exec {acmedash} demo"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        _wait_for(session, "7 Traffic")
        assert [p.name[:14] for p in temp.iterdir()] == ["acmedash-demo-"]
        pid = _tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()
        os.kill(int(pid), signal.SIGTERM)
        deadline = time.monotonic() + 20
        while any(temp.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    assert list(temp.iterdir()) == [], "the demo's folder is removed"
