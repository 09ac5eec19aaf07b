"""JSON as the detail pane shows it: indented, highlighted, and folded object by object.

Each object or array has a path (its keys from the top) inside a named block ("payload",
"body"...). A `Folding` says which are folded: those at `level` and deeper, except the ones
the user unfolded one by one, plus those folded one by one (`toggled` holds both, as it
flips the level's rule). A folded one shows as `{… 3 keys}` / `[… 2 items]`. Every block
keeps where its objects sit (`JsonText.containers`, lines from the block's first), so the
detail pane knows which object the cursor is on."""

from __future__ import annotations

import bisect
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from rich.text import Span, Text

from tui.dashboard.untrusted import inert, json_text
from tui.words import counted

LARGE = 128 * 1024  # characters of JSON above which it is not highlighted
# Lines of one block the detail pane lays out; what is past them is a line saying so. A 1 MiB
# body (the cap) of 524,000 one-character items took 14 s and 490 MB to show in full.
SHOWN_LINES = 5000

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Folding:
    level: int | None = None  # objects this deep and deeper are folded; None: none by level
    toggled: frozenset[tuple[str, Path]] = field(default_factory=frozenset)

    def folded(self, block: str, path: Path) -> bool:
        by_level = self.level is not None and len(path) >= self.level
        return by_level != ((block, path) in self.toggled)


class JsonText(Text):
    """A block of JSON and where its objects are: (first line, last line, path) each."""

    block = ""
    containers: list[tuple[int, int, Path]]
    whole = True  # False: only the first SHOWN_LINES lines (and a piece of the next) are here


def depth(value: Any) -> int:
    """How deeply `value` nests objects and arrays (0 for a scalar)."""
    if isinstance(value, dict) and value:
        return 1 + max(depth(v) for v in value.values())
    if isinstance(value, list) and value:
        return 1 + max(depth(v) for v in value)
    return 0


def _items(value: dict[str, Any] | list[Any]) -> Any:
    return value.items() if isinstance(value, dict) else enumerate(value)


class _Folder:
    """Walks a value in json.dumps(indent=2)'s order: a non-empty object or array takes its
    opening line, its members' lines, its closing line; anything else, and a folded one, one
    line. Folded ones become marker strings (replaced after highlighting)."""

    def __init__(self, folding: Folding, block: str) -> None:
        self.folding, self.block = folding, block
        self.token = f"fold-{os.urandom(8).hex()}-"
        self.folds: dict[str, str] = {}
        self.containers: list[tuple[int, int, Path]] = []
        self.line = 0

    def walk(self, value: Any, path: Path = ()) -> Any:
        if not isinstance(value, dict | list) or not value:
            self.line += 1
            return value
        first = self.line
        if self.folding.folded(self.block, path):
            self.line += 1
            self.containers.append((first, first, path))
            return self._marker(value)
        self.line += 1
        members = {k: self.walk(v, (*path, k)) for k, v in _items(value)}
        self.line += 1
        self.containers.append((first, self.line - 1, path))
        return members if isinstance(value, dict) else list(members.values())

    def _marker(self, value: dict[str, Any] | list[Any]) -> str:
        marker = f"{self.token}{len(self.folds)}"
        what = counted(len(value), "key" if isinstance(value, dict) else "item")
        self.folds[marker] = f"{{… {what}}}" if isinstance(value, dict) else f"[… {what}]"
        return marker


def json_block(value: Any, fold: Folding | int | None = None, block: str = "") -> Text:
    """Indented, highlighted JSON, folded as `fold` says (a number: that many levels shown).
    The fold markers are strings with a random token, replaced after highlighting: no string
    the CA sent can pose as one. JSON longer than LARGE is shown without colours:
    highlighting and laying out a 1 MiB body (the cap) took seconds at every cursor move."""
    if value == "":
        return Text('"" (empty payload: POST-as-GET)', style="italic")
    head = _head(value)
    if head is not None:
        return _preview(head, block)
    folding = fold if isinstance(fold, Folding) else Folding(level=fold)
    folder = _Folder(folding, block)
    shown = folder.walk(value)
    dumped = json.dumps(shown, indent=2, ensure_ascii=False)
    text = json_text(shown) if len(dumped) <= LARGE else inert(dumped, lines=True)
    if folder.folds:
        text = _unmarked(text, folder.token, folder.folds)
    result = JsonText(text.plain, style=text.style, spans=text.spans)
    result.block, result.containers = block, folder.containers
    return result


def _head(value: Any) -> str | None:
    """The start of `value` indented, past its first SHOWN_LINES lines, when it is longer;
    None when it is not. Encoded lazily (json's encoder with an indent is a generator), so a
    1 MiB body of tiny items costs what its first lines cost, not a walk of every item."""
    chunks, lines = [], 0
    for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(value):
        chunks.append(chunk)
        lines += chunk.count("\n")
        if lines >= SHOWN_LINES:
            return "".join(chunks)
    return None


def _preview(head: str, block: str) -> JsonText:
    """The first lines of a JSON too long to lay out, plain (as above LARGE) and not
    foldable: folding it needs every object's place, which is the walk it must not make."""
    text = inert(head, lines=True)
    result = JsonText(text.plain, style=text.style)
    result.block, result.containers, result.whole = block, [], False
    return result


def _unmarked(text: Text, token: str, folds: dict[str, str]) -> Text:
    """`text` with each quoted fold marker replaced by what it stands for, in one pass: a
    replace per marker was quadratic, and a folded array of 12,000 objects has 12,000."""
    plain = text.plain
    found = [
        (m.start(), m.end(), folds[m.group()[1:-1]])
        for m in re.finditer(f'"{re.escape(token)}\\d+"', plain)
    ]
    pieces, spans, cursor, shift = [], [], 0, 0
    starts, ends, shifts = [a for a, _, _ in found], [b for _, b, _ in found], []
    for start, end, folded in found:
        pieces += [plain[cursor:start], folded]
        spans.append(Span(start + shift, start + shift + len(folded), "dim italic"))
        shift += len(folded) - (end - start)
        shifts.append(shift)
        cursor = end
    pieces.append(plain[cursor:])

    def moved(offset: int) -> int:
        before = bisect.bisect_right(ends, offset)
        return offset + (shifts[before - 1] if before else 0)

    for span in text.spans:
        at = bisect.bisect_right(starts, span.start) - 1  # the last marker starting at or before
        if at >= 0 and span.start < ends[at]:
            continue  # the marker's own string highlight
        if at + 1 < len(starts) and span.end > starts[at + 1]:
            continue
        spans.append(Span(moved(span.start), moved(span.end), span.style))
    return Text("".join(pieces), style=text.style, spans=sorted(spans, key=lambda s: s.start))
