"""Paths typed by a person: `~` expands, `~someone` with no home here stays as typed (a typo
in the dashboard's path box ended it with a RuntimeError traceback)."""

from __future__ import annotations

from pathlib import Path

from tui.user_paths import user_path

NOBODY = "~qz-no-such-user-here"


def test_tilde_is_the_home_folder() -> None:
    assert user_path("~/key.pem") == Path.home() / "key.pem"
    assert user_path(Path("~")) == Path.home()


def test_a_user_with_no_home_stays_as_typed() -> None:
    assert user_path(f"{NOBODY}/key.pem") == Path(NOBODY) / "key.pem"


def test_other_paths_are_unchanged() -> None:
    assert user_path("certs/a.pem") == Path("certs/a.pem")
    assert user_path("/etc/x") == Path("/etc/x")
