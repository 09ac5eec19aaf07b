"""acmedash as a user has it: its wheel installed into a fresh venv, not the editable checkout.

An editable install adds a path finder that every interpreter start runs (20-30 ms of CPU on
this machine, against 18 ms for a whole `python -c pass` in a fresh venv), and where
PYTHONDONTWRITEBYTECODE is set its code never gets bytecode. Neither is what `pip install`
gives a user. The fresh venv finds this environment's dependencies through a plain path line
in a .pth file (their own .pth files do not run from there), so nothing is downloaded.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def install(folder: Path) -> Path:
    """Build and install the wheel under `folder`; returns the `acmedash` script's path."""
    wheels = folder / "wheel"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT))
    (wheel,) = wheels.glob("acmedash-*.whl")
    venv = folder / "venv"
    _run(sys.executable, "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    Path(site, "acmedash-benchmark-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel))
    return venv / "bin" / "acmedash"


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
