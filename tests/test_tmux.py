"""The real `acmedash demo` binary in a real terminal (tmux, 80x24), keys only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], capture_output=True, text=True, check=True, timeout=10
    ).stdout


def _wait_for(session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear; screen was:\n{screen}")


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


def _keys(session: str, *keys: str) -> None:
    for key in keys:
        _tmux("send-keys", "-t", session, key)
        time.sleep(0.1)


def test_demo_creates_an_account_and_issues_with_key_presses(tmp_path: Path) -> None:
    """Account (a, Tab to "I agree", Enter), then the Orders tab the way people reach it:
    shift+Tab twice to the tab strip, Right x4, Tab into the names box, type, Enter. The name
    must go into the box (its letters once opened dialogs and switched to production), the
    certificate must be issued for real (Pebble validates http-01 against the demo's own
    responder) and saved in the demo's folder, not where the demo was started."""
    session, config, started_in = _start_demo(tmp_path)
    try:
        _wait_for(session, "LOCAL")
        _keys(session, "a")
        _wait_for(session, "Do you agree?")
        _keys(session, "Tab", "Enter")  # from the default Cancel to "I agree"
        screen = _wait_for(session, "Account created.")
        assert "POST" in screen and "201" in screen
        _keys(session, "BTab", "BTab", "Right", "Right", "Right", "Right", "Tab")
        _tmux("send-keys", "-t", session, "-l", "demo.example.org")
        _wait_for(session, "demo.example.org")
        _keys(session, "Enter")
        screen = _wait_for(session, "Certificate saved in", timeout=60)
        assert "LOCAL" in screen and "PRODUCTION" not in screen
        assert "acmedash-demo-" in screen, screen
        _keys(session, "Escape", "q")
        time.sleep(1.0)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    assert not config.exists(), "demo never writes the user's settings"
    assert list(started_in.iterdir()) == [], "the demo's files stay in its throwaway folder"
