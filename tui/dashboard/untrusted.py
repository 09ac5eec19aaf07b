"""Text from the network (and from traffic files), made inert for a terminal (security item
10), at the place the dashboard renders it.

Two rules. No control character reaches the terminal: ESC starts an escape sequence (a title
change, a cleared screen, a hyperlink), 0x9b is CSI on its own, BEL rings, a bidi override
reorders what is read. Each is shown as a visible escape (`\\x1b`, `\\u202e`), so the inspector
still tells what was sent. And no such text is read as Rich/Textual markup: it goes into Text
objects, never into markup strings (`[@click=...]` in a problem detail would bind an action).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.highlighter import JSONHighlighter
from rich.text import Text

# C0 but tab and newline, DEL, C1, and Unicode's invisible direction and line controls.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_IN_LINES = re.compile(f"[{_CONTROLS}]")
_IN_A_LINE = re.compile(f"[\t\n{_CONTROLS}]")
_HIGHLIGHT_JSON = JSONHighlighter()


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """`text` with every control character shown as an escape. With `lines` (a body, a
    dialog's message) newlines and tabs stay, and CRLF reads as a newline; else (a row, a
    title) they are escaped too, so one line stays one line."""
    if lines:
        return _IN_LINES.sub(_shown, text.replace("\r\n", "\n"))
    return _IN_A_LINE.sub(_shown, text)


def inert(text: str, style: str = "", *, lines: bool = False) -> Text:
    """A Text of `text` made printable: what a widget is given instead of a markup string."""
    return Text(printable(text, lines=lines), style=style)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(value: Any) -> Text:
    """`value` as indented, highlighted JSON (as rich.json.JSON shows it). json.dumps escapes
    C0 inside strings; DEL, C1 and the Unicode controls get JSON escapes too, so the text is
    still the same JSON."""
    dumped = _IN_LINES.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False))
    text = _HIGHLIGHT_JSON(dumped)
    text.no_wrap = True
    text.overflow = None
    return text
