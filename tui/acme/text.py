"""Server text made safe for a terminal.

A problem `detail`, a status, a URL or a certificate subject comes from a server we do not
trust, and a terminal obeys the control sequences inside text: ESC [2J clears the screen,
ESC ] 0 ; ... BEL sets the window title, C1 CSI (U+009B) does the same without an ESC. So
everything from the network is passed through `printable` before it is shown, and each control
character becomes a visible escape (`\\n`, `\\x1b`, `\\u009b`) that a person can still read.

Invisible characters are escaped too: a zero-width space or joiner inside a name makes two
names that look the same differ, and tag characters (U+E0000-E007F) carry hidden text. A long
run of combining marks (Zalgo text) piles up over the lines around it: past MAX_MARKS in a
row, the marks are escaped as well.
"""

from __future__ import annotations

import re

# C0 and DEL and C1 (the terminal's controls); U+2028/U+2029 (line breaks to some terminals and
# viewers); lone surrogates, which no terminal encoding can write; and every format character
# (Unicode category Cf, as of Unicode 14: Python 3.11's unicodedata) with the whole tag block:
# the bidirectional marks, overrides and isolates that make text read in another order than
# it is stored (CVE-2021-42574), zero-width space, joiners, word joiner, BOM, soft hyphen.
# tests/test_text.py checks this list against unicodedata.
_FORMAT = (
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
UNSAFE = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + _FORMAT
_SINGLE_LINE = re.compile(f"[{UNSAFE}]")
_MULTI_LINE = re.compile(f"(?![\t\n])[{UNSAFE}]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
# Combining marks kept on one character: Vietnamese stacks two, a few scripts three or four.
MAX_MARKS = 4
_LONG_NON_ASCII = re.compile(f"[^\\x00-\\x7f]{{{MAX_MARKS + 1},}}")


def _escape_char(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _escape(match: re.Match[str]) -> str:
    return _escape_char(match.group())


def _bound_marks(match: re.Match[str]) -> str:
    """The run with every combining mark past MAX_MARKS in a row escaped."""
    import unicodedata

    kept: list[str] = []
    marks = 0
    for char in match.group():
        marks = marks + 1 if unicodedata.category(char).startswith("M") else 0
        kept.append(_escape_char(char) if marks > MAX_MARKS else char)
    return "".join(kept)


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every control and format character escaped, and runs of combining marks
    bounded. A one-line value (a status, a URL, a problem detail inside a message) keeps no
    newline either, so it cannot forge a line of our own output; `multiline=True` keeps
    newline and tab, for text meant to span lines."""
    shown = (_MULTI_LINE if multiline else _SINGLE_LINE).sub(_escape, text)
    return shown if shown.isascii() else _LONG_NON_ASCII.sub(_bound_marks, shown)


def shortened(text: str, *, lines: int = 4, chars: int = 300) -> str:
    """The first `lines` lines and `chars` characters of `text`, with "…" where it was cut: a
    CA's problem detail can be a megabyte of lines, and a notification of it covered the
    screen (and took longer to lay out than it was meant to stay)."""
    kept = "\n".join(text.splitlines()[:lines])[:chars]
    return kept if kept == text else kept.rstrip() + "…"
