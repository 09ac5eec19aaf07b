"""The wheel, not only the editable install, carries the themes and the stylesheet."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_wheel_ships_themes_and_stylesheet(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("acmedash-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for theme in ("acme-dark", "acme-light", "acme-contrast"):
        assert f"tui/themes/{theme}.toml" in names
    assert "tui/dashboard/app.tcss" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "acmedash = tui.launch:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
