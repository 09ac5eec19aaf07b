"""Paths as a person types them: `~` and `~user` expanded as a shell would."""

from __future__ import annotations

from pathlib import Path


def user_path(given: str | Path) -> Path:
    """`given` with its `~` expanded; `~someone` who has no home here stays as typed, as bash
    leaves it. Path.expanduser raises RuntimeError then, and a typo in a path box (`~qz`)
    ended the dashboard with a traceback; as typed, the file is simply not found."""
    path = Path(given)
    try:
        return path.expanduser()
    except RuntimeError:
        return path
