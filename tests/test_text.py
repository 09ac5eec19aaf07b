"""`printable`: server text made safe for a terminal (tui.acme.text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.json_strategies  # noqa: F401 - the hypothesis profile
from tui.acme.text import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b]0;pwned\x07", r"\x1b[2J\x1b]0;pwned\x07"),
        ("\x9b2J", r"\u009b2J"),
        ("a\x00b\x7fc", r"a\x00b\x7fc"),
        ("line\nforged", r"line\nforged"),
        ("tab\there\r", r"tab\there\r"),
        ("evil\u202etxt.exe", r"evil\u202etxt.exe"),
        ("sep\u2028x", r"sep\u2028x"),
        ("lone \ud800", r"lone \ud800"),
        ("bücher.example, ok ✓", "bücher.example, ok ✓"),
    ],
)
def test_controls_become_visible_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_multiline_text_keeps_newline_and_tab_only() -> None:
    assert printable("a\nb\tc\r\x1b[1m", multiline=True) == "a\nb\tc\\r\\x1b[1m"


@given(st.text())
def test_nothing_a_terminal_obeys_gets_through(text: str) -> None:
    for multiline in (False, True):
        shown = printable(text, multiline=multiline)
        allowed = "\n\t" if multiline else ""
        assert all(c in allowed or not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) for c in shown)
        shown.encode("utf-8")  # no lone surrogate left
