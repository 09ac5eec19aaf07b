"""The garbage collector is paused while acmedash loads (tui/collector.py) and must be back on
for the work itself: a headless command, or the dashboard once it has painted. A pause that
never ended would let every reference cycle of a long renewal run or inspection pile up."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from tui.config import Settings
from tui.dashboard.app import AcmeDashApp

SCRIPT = """
import gc, sys
import tui.launch
print("loading", gc.isenabled())
from tui.cli.command import run
run(sys.argv[1:])
print("working", gc.isenabled(), gc.get_freeze_count() > 0)
"""


def test_a_headless_command_runs_with_the_collector_on(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--config", str(tmp_path / "config.toml"), "cert", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "loading False" in done.stdout, done.stdout
    assert "working True True" in done.stdout, done.stdout


async def test_the_dashboard_turns_the_collector_on_after_its_first_paint() -> None:
    gc.disable()
    try:
        settings = Settings()
        settings.endpoint = "pebble"
        app = AcmeDashApp(settings, config_path=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()
