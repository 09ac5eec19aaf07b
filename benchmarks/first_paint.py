"""Time to first paint in an 80x24 tmux pane: acmedash's dashboard against a minimal Textual app.

Run: python benchmarks/first_paint.py [ROUNDS]
Each round starts both programs (alternating, so machine noise hits both alike) and polls
`tmux capture-pane` every 5 ms until the marker text of a fully painted screen appears. Goal
(issue 3): acmedash's median at most 1.25x the minimal app's. No network is touched: the
dashboard starts on the `pebble` preset with a throwaway config and sends nothing until asked.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
SESSION = f"first-paint-{os.getpid()}"


def paint_time(command: str, markers: tuple[str, ...], timeout: float = 20.0) -> float:
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", command], check=True
    )
    try:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", SESSION],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if all(marker in screen for marker in markers):
                return time.perf_counter() - start
            time.sleep(0.005)
        raise RuntimeError(f"{markers!r} never all appeared for {command}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True, check=False)


def main(rounds: int) -> None:
    # pip writes bytecode for what it installs (Textual included), but an editable install's
    # own modules get it only on first import, and never under PYTHONDONTWRITEBYTECODE (set on
    # some machines). Compile both programs first so that both start as installed code would.
    compileall.compile_dir(str(HERE.parent / "tui"), quiet=1)
    compileall.compile_file(str(HERE / "minimal_app.py"), quiet=1)
    # A session that outlives the measured ones keeps the tmux server up between rounds.
    keeper = f"{SESSION}-keeper"
    subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep 600"], check=True)
    try:
        measure(rounds)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True, check=False)


def measure(rounds: int) -> None:
    python = sys.executable
    acmedash = str(Path(python).with_name("acmedash"))
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.write_text('endpoint = "pebble"\n')
        env = f"TERM=xterm-256color ACMEDASH_CONFIG={config} XDG_DATA_HOME={folder}"
        ours, baseline = [], []
        for _ in range(rounds):
            minimal = f"{env} {python} {HERE / 'minimal_app.py'}"
            baseline.append(paint_time(minimal, ("minimal app ready", "Quit")))
            # The whole screen: the key bar at the bottom (`? more` ends it), the detail tabs on
            # the right, the status line's count.
            ours.append(paint_time(f"{env} {acmedash}", ("Stg/Prod", "Request", "? more", " of 0")))
    base, mine = statistics.median(baseline), statistics.median(ours)
    print(f"rounds: {rounds}, 80x24 tmux pane, median of each")
    print(f"minimal Textual app: {base * 1000:.0f} ms  (min {min(baseline) * 1000:.0f})")
    print(f"acmedash dashboard:  {mine * 1000:.0f} ms  (min {min(ours) * 1000:.0f})")
    print(f"ratio: {mine / base:.2f}x  (goal <= 1.25x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
