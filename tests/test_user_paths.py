"""Paths typed by a person: `~` expands, `~someone` with no home here stays as typed (a typo
in the dashboard's path box ended it with a RuntimeError traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.user_paths import PathRefused, typed_file_path, user_path

NOBODY = "~qz-no-such-user-here"


def test_tilde_is_the_home_folder() -> None:
    assert user_path("~/key.pem") == Path.home() / "key.pem"
    assert user_path(Path("~")) == Path.home()


def test_a_user_with_no_home_stays_as_typed() -> None:
    assert user_path(f"{NOBODY}/key.pem") == Path(NOBODY) / "key.pem"


def test_other_paths_are_unchanged() -> None:
    assert user_path("certs/a.pem") == Path("certs/a.pem")
    assert user_path("/etc/x") == Path("/etc/x")


def test_a_file_path_typed_in_a_dialog_is_absolute_from_its_folder(tmp_path: Path) -> None:
    assert typed_file_path(" k.pem ", tmp_path) == tmp_path / "k.pem"
    assert typed_file_path("/etc/k.pem", tmp_path) == Path("/etc/k.pem")
    assert typed_file_path("~/k.pem", tmp_path) == Path.home() / "k.pem"


def test_a_file_path_that_cannot_be_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "plain").write_text("x")
    for typed, said in [
        ("plain/k.pem", f"{tmp_path / 'plain'} is a file, not a folder"),
        ("plain/a/k.pem", f"{tmp_path / 'plain'} is a file, not a folder"),
        ("", "Type the file's path"),
        (f"{NOBODY}/k.pem", f"there is no user '{NOBODY[1:]}' here"),
        ("sub", f"{tmp_path / 'sub'} is a folder"),
        ("~", "is a folder"),
    ]:
        with pytest.raises(PathRefused) as refused:
            typed_file_path(typed, tmp_path)
        assert said in str(refused.value), (typed, str(refused.value))
