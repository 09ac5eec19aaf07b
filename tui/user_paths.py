"""Paths as a person types them: `~` and `~user` expanded as a shell would."""

from __future__ import annotations

from pathlib import Path


class PathRefused(ValueError):
    """A path typed for a file that cannot be one (a folder, a user with no home here)."""


def user_path(given: str | Path) -> Path:
    """`given` with its `~` expanded; `~someone` who has no home here stays as typed, as bash
    leaves it. Path.expanduser raises RuntimeError then, and a typo in a path box (`~qz`)
    ended the dashboard with a traceback; as typed, the file is simply not found."""
    path = Path(given)
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def typed_file_path(typed: str, base: Path) -> Path:
    """The file a path box names, absolute: relative to `base`, the folder the box says it is
    in. A dialog's answer went on relative (to the shell's folder, while the box named the
    demo's), `~nosuchuser/x` made a folder called `~nosuchuser`, and a folder given for a file
    failed only after "Replace it?" (or as "refusing to overwrite a key file")."""
    text = typed.strip()
    if not text:
        raise PathRefused("Type the file's path.")
    path = user_path(text)
    if text.startswith("~") and str(path) == str(Path(text)):
        user = text[1:].split("/", 1)[0]
        raise PathRefused(f"~{user}: there is no user {user!r} here.")
    path = base / path  # an absolute path stays as it is
    if path.is_dir():
        raise PathRefused(f"{path} is a folder: name a file in it.")
    above = next((folder for folder in path.parents if folder.exists()), None)
    if above is not None and not above.is_dir():
        raise PathRefused(f"{above} is a file, not a folder.")
    return path
