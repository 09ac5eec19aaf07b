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


def test_demo_creates_an_account_with_key_presses(tmp_path: Path) -> None:
    if shutil.which("tmux") is None or shutil.which("pebble") is None:
        pytest.fail(
            "tmux and pebble must be installed (apt-get install tmux pebble)", pytrace=False
        )
    session = f"acmedash-test-{os.getpid()}"
    acmedash = Path(sys.executable).with_name("acmedash")
    config = tmp_path / "config.toml"
    command = f"ACMEDASH_CONFIG={config} TERM=xterm-256color {acmedash} demo"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        _wait_for(session, "LOCAL")
        _tmux("send-keys", "-t", session, "a")
        _wait_for(session, "Do you agree?")
        _tmux("send-keys", "-t", session, "Tab")  # from the default Cancel to "I agree"
        _tmux("send-keys", "-t", session, "Enter")
        screen = _wait_for(session, "Account created.")
        assert "POST" in screen and "201" in screen
        _tmux("send-keys", "-t", session, "q")
        time.sleep(1.0)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    assert not config.exists(), "demo never writes the user's settings"
