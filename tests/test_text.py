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


def _invisible(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) == "Cf" or 0xE0000 <= ord(char) <= 0xE007F


def _longest_mark_run(text: str) -> int:
    import unicodedata

    longest = run = 0
    for char in text:
        run = run + 1 if unicodedata.category(char).startswith("M") else 0
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("pay\u200bpal.test", r"pay\u200bpal.test"),
        ("a\u200c\u200db\u2060c\ufeff", r"a\u200c\u200db\u2060c\ufeff"),
        ("ok\U000e0041\U000e007f", r"ok\U000e0041\U000e007f"),
        ("Vi\u1ec7\u0323t", "Vi\u1ec7\u0323t"),
    ],
)
def test_invisible_characters_become_visible_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


# Unassigned tag code points too: an attacker is not bound to assigned ones.
_HOSTILE_CHARS = st.one_of(
    st.characters(categories=["Cf", "Mn", "Me", "Mc", "Ll", "Lo"]),
    st.integers(0xE0000, 0xE007F).map(chr),
    st.sampled_from("a\n\t\u0301"),
)


@given(st.text(_HOSTILE_CHARS, max_size=200))
def test_no_invisible_character_and_no_long_run_of_marks_gets_through(text: str) -> None:
    from tui.acme.text import MAX_MARKS

    for multiline in (False, True):
        shown = printable(text, multiline=multiline)
        assert not any(_invisible(c) for c in shown)
        assert _longest_mark_run(shown) <= MAX_MARKS


@given(st.text(st.characters(categories=["L", "N", "P", "Zs"]), max_size=200))
def test_text_with_nothing_to_hide_is_shown_as_it_is(text: str) -> None:
    assert printable(text) == text


def test_a_zalgo_name_is_cut_to_a_few_marks_per_letter() -> None:
    from tui.acme.text import MAX_MARKS

    shown = printable("h" + "\u0301" * 200 + "i")
    assert shown.startswith("h" + "\u0301" * MAX_MARKS + "\\u0301")
    assert shown.count("\\u0301") == 200 - MAX_MARKS


@given(st.dictionaries(st.text(_HOSTILE_CHARS, max_size=20), st.text(_HOSTILE_CHARS, max_size=50)))
def test_the_dashboards_json_view_escapes_and_still_reads_as_the_same_json(
    value: dict[str, str],
) -> None:
    """Escaped characters past U+FFFF (tags) are JSON's UTF-16 pairs, not a 5-digit `\\u`."""
    import json

    from tui.dashboard.untrusted import json_text

    shown = json_text(value).plain
    assert not any(_invisible(c) for c in shown)
    assert json.loads(shown) == value
