"""Server text made safe for a terminal.

A problem `detail`, a status, a URL or a certificate subject comes from a server we do not
trust, and a terminal obeys the control sequences inside text: ESC [2J clears the screen,
ESC ] 0 ; ... BEL sets the window title, C1 CSI (U+009B) does the same without an ESC. So
everything from the network is passed through `printable` before it is shown, and each control
character becomes a visible escape (`\\n`, `\\x1b`, `\\u009b`) that a person can still read.
"""

from __future__ import annotations

import re

# C0 and DEL and C1 (the terminal's controls); U+2028/U+2029 (line breaks to some terminals and
# viewers); the bidirectional overrides and isolates that make text read in another order than
# it is stored (CVE-2021-42574); lone surrogates, which no terminal encoding can write.
UNSAFE = "\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_SINGLE_LINE = re.compile(f"[{UNSAFE}]")
_MULTI_LINE = re.compile(f"(?![\t\n])[{UNSAFE}]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character escaped. A one-line value (a status, a URL, a
    problem detail inside a message) keeps no newline either, so it cannot forge a line of our
    own output; `multiline=True` keeps newline and tab, for text meant to span lines."""
    return (_MULTI_LINE if multiline else _SINGLE_LINE).sub(_escape, text)
