"""Colour themes as TOML: the shipped ones beside this file, the user's in the XDG data dir."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "background",
    "surface",
    "panel",
    "foreground",
    "boost",
)


def parse_theme(path: Path) -> Theme:
    """Raises ValueError with a one-line reason for a file that is not a usable theme."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    name, primary = data.get("name"), data.get("primary")
    if not isinstance(name, str) or not isinstance(primary, str):
        raise ValueError(f"{path}: a theme needs string keys 'name' and 'primary'")
    colours = {k: data[k] for k in FIELDS if isinstance(data.get(k), str)}
    try:
        theme = Theme(name=name, dark=bool(data.get("dark", True)), **colours)
        theme.to_color_system()  # parses every colour now, not at the first repaint
    except Exception as exc:
        raise ValueError(f"{path}: {exc}") from None
    return theme


def theme_files(user_dir: Path) -> list[Path]:
    shipped = sorted(Path(__file__).parent.glob("*.toml"))
    user = sorted(user_dir.glob("*.toml")) if user_dir.is_dir() else []
    return shipped + user
