"""Text from the network (and from traffic files), made inert for a terminal (security item
10), at the place the dashboard renders it.

Two rules. No control character reaches the terminal: ESC starts an escape sequence (a title
change, a cleared screen, a hyperlink), 0x9b is CSI on its own, BEL rings, a bidi override
reorders what is read. Each is shown as a visible escape (`\\x1b`, `\\u202e`) by
`tui.acme.text.printable`, the escaping the CLI uses too, so the inspector still tells what was
sent. And no such text is read as Rich/Textual markup: it goes into Text objects, never into
markup strings (`[@click=...]` in a problem detail would bind an action).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.highlighter import JSONHighlighter
from rich.text import Text

from tui.acme.text import UNSAFE, shortened
from tui.acme.text import printable as safe_text

# A CA's string inside a notification or a status line: one line of at most this many characters
# (a toast at 80 columns is 35 columns wide: five rows of it).
IN_A_LINE = 160
# A line of a log pane (the Orders tab's progress), which has the room to say what was refused.
IN_A_LOG_LINE = 1000

# json.dumps escapes C0 inside strings, so a raw newline in its output is the indentation's own.
_IN_JSON = re.compile(f"(?!\n)[{UNSAFE}]")
_HIGHLIGHT_JSON = JSONHighlighter()


def printable(text: str, *, lines: bool = False, limit: int | None = None) -> str:
    """`text.printable` as the dashboard needs it: with `lines` (a body, a dialog's message)
    newlines and tabs stay and CRLF reads as a newline; else (a row, a title, a CA's text in a
    notification) one line stays one line, and a newline in it reads `\\n`, never as a line of
    our own. `limit`: at most that many characters, "…" where it was cut (a problem detail
    of a megabyte filled the screen as a toast)."""
    shown = safe_text(text.replace("\r\n", "\n"), multiline=True) if lines else safe_text(text)
    if limit is None:
        return shown
    return shortened(shown, lines=shown.count("\n") + 1, chars=limit)


def fitted(text: str, width: int) -> str:
    """One line in `width` columns, "…" where it was cut; nothing when there is no room for
    more than the "…". The one cut for the list's cells, the status line and the tables."""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…" if width > 1 else ""


def inert(text: str, style: str = "", *, lines: bool = False) -> Text:
    """A Text of `text` made printable: what a widget is given instead of a markup string."""
    return Text(printable(text, lines=lines), style=style)


def _json_escape(match: re.Match[str]) -> str:
    """JSON's escape: a character past U+FFFF (a tag character) as its UTF-16 pair."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(value: Any) -> Text:
    """`value` as indented, highlighted JSON (as rich.json.JSON shows it). json.dumps escapes
    C0 inside strings; DEL, C1 and the Unicode controls get JSON escapes too, so the text is
    still the same JSON."""
    dumped = _IN_JSON.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False))
    return _HIGHLIGHT_JSON(dumped)
