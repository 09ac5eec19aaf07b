"""Saving settings into the user's own config text: only the values that changed are rewritten,
in place, so the comments, blank lines, key order and formatting of a hand-edited file survive
every save (`account new`, an endpoint switch, a contact update, a theme).

Why not a round-trip TOML library (tomlkit): the app writes a handful of plain values (strings,
lists of strings, numbers, one array of tables), which tomli-w already serialises; editing the
lines that hold them is a page of code, where tomlkit would be a new dependency and a second
TOML parser next to tomllib. What makes it safe is the check in config.save_settings: the
edited text is parsed again with tomllib and must give exactly the settings being saved, or
the file is written whole instead (and the hand-written text kept beside it).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

MAX_LINE = 100  # a list longer than this goes one item per line, as tomli-w writes it
TOP = ""  # the section name of the keys before the first [table] header

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


class Unsupported(Exception):
    """A change this editor does not make in place (a nested table changed, ...)."""


def _dump(key: str, value: Any) -> str:
    """`key = value` as tomli-w writes it, but a short list on one line as people write it
    (tomli-w always puts one item per line)."""
    import tomli_w

    line = tomli_w.dumps({key: value})
    if isinstance(value, list) and value and not any(isinstance(v, dict | list) for v in value):
        items = ", ".join(tomli_w.dumps({"v": item})[4:-1] for item in value)
        short = f"{line.split(' = ', 1)[0]} = [{items}]\n"
        if len(short) <= MAX_LINE:
            return short
    return line


def _parses_to(text: str) -> Any:
    """The value of `text` as the right-hand side of an assignment, or KeyError."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        raise KeyError(text) from None


class ConfigText:
    """The config file as lines, edited one assignment at a time."""

    def __init__(self, text: str) -> None:
        self.lost: list[str] = []  # keys whose comments inside their value could not be kept
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    def text(self) -> str:
        return "".join(self.lines)

    def _sections(self) -> list[tuple[str, bool, int, int]]:
        """(name, is an array of tables, first line after the header, end line) per section,
        the top level first."""
        found: list[tuple[str, bool, int, int]] = []
        name, array, start = TOP, False, 0
        for number, line in enumerate(self.lines):
            header = _HEADER.match(line)
            if header:
                found.append((name, array, start, number))
                name, array, start = header.group(2), header.group(1) == "[[", number + 1
        found.append((name, array, start, len(self.lines)))
        return found

    def _section(self, name: str) -> tuple[int, int] | None:
        for section, array, start, end in self._sections():
            if section == name and not array:
                return start, end
        return None

    def _assignment(self, key: str, start: int, end: int) -> tuple[int, int, str] | None:
        """(first line, line after the value, comment after a one-line value) of `key`."""
        pattern = re.compile(
            rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*="
        )
        for number in range(start, end):
            found = pattern.match(self.lines[number])
            if not found:
                continue
            rest = self.lines[number][found.end() :]
            for last in range(number, end):
                try:
                    value = _parses_to(rest)
                except KeyError:
                    rest += self.lines[last + 1] if last + 1 < end else ""
                    continue
                return number, last + 1, self._comment(rest, value) if last == number else ""
            raise Unsupported(f"{key}: value not understood")
        return None

    @staticmethod
    def _comment(rest: str, value: Any) -> str:
        """The `# ...` that follows a one-line value, kept when the value is rewritten."""
        for found in re.finditer("#", rest):
            try:
                if _parses_to(rest[: found.start()]) == value:
                    return "  " + rest[found.start() :].strip()
            except KeyError:
                continue
        return ""

    def _end_of_assignments(self, start: int, end: int) -> int:
        """Where a new key goes: after the last assignment (or header) of the section, so it
        stays above the comments that introduce the next section."""
        last = start
        for number in range(start, end):
            stripped = self.lines[number].strip()
            if stripped and not stripped.startswith("#"):
                last = number + 1
        return last

    def set(self, section: str, key: str, value: Any) -> None:
        place = self._section(section)
        if place is None:
            self.lines += ["\n", f"[{section}]\n", _dump(key, value)]
            return
        self._set_in(*place, key, value, f"{section}.{key}" if section else key)

    def _set_in(self, start: int, end: int, key: str, value: Any, name: str) -> None:
        """`key = value` between lines `start` and `end`: the assignment rewritten in place
        (its comments kept), or added after the last one."""
        found = self._assignment(key, start, end)
        if found is None:
            self.lines.insert(self._end_of_assignments(start, end), _dump(key, value))
            return
        first, after, comment = found
        if after - first > 1 and isinstance(value, list):
            kept = _list_in_place(self.lines[first:after], value)
            if kept is not None:
                self.lines[first:after] = kept
                return
            if any("#" in line for line in self.lines[first + 1 : after]):
                self.lost.append(name)
        line = _dump(key, value)
        if comment:
            line = line.rstrip("\n") + comment + "\n"
        self.lines[first:after] = [line]

    def delete(self, section: str, key: str) -> None:
        place = self._section(section)
        found = self._assignment(key, *place) if place else None
        if found is not None:
            del self.lines[found[0] : found[1]]

    def set_tables(self, name: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        """An array of tables ([[accounts]]) edited table by table, as difflib pairs the old
        tables with the new: a changed value is rewritten in its line, a removed table leaves
        its comments, new tables follow the one before them (else go at the end). Every comment
        in, between and around them stays."""
        import difflib

        spans = [
            (start - 1, start, self._end_of_assignments(start, end))
            for section, array, start, end in self._sections()
            if section == name and array
        ]
        if len(spans) != len(old):
            raise Unsupported(name)  # tables written in another form ([accounts] inline)
        ops = difflib.SequenceMatcher(
            a=[repr(sorted(t.items())) for t in old],
            b=[repr(sorted(t.items())) for t in new],
            autojunk=False,
        ).get_opcodes()
        for op, a1, a2, b1, b2 in reversed(ops):  # from the end: earlier lines stay put
            if op == "equal":
                continue
            paired = min(a2 - a1, b2 - b1)
            extra = new[b1 + paired : b2]
            if extra:
                after = spans[a1 + paired - 1][2] if a1 + paired > 0 else None
                self._add_tables(name, extra, after)
            for k in reversed(range(a1 + paired, a2)):
                header, _, after = spans[k]
                self.lines[header:after] = [
                    comment for line in self.lines[header:after] if (comment := _comment_of(line))
                ]
            for k in reversed(range(paired)):
                _, start, after = spans[a1 + k]
                before, table = old[a1 + k], new[b1 + k]
                for key in sorted(before.keys() - table.keys()):
                    found = self._assignment(key, start, after)
                    if found:
                        del self.lines[found[0] : found[1]]
                for key, value in table.items():
                    if before.get(key) != value:
                        self._set_in(start, self._end_of_assignments(start, after), key, value,
                                     f"{name}.{key}")  # fmt: skip

    def _add_tables(self, name: str, tables: list[dict[str, Any]], after: int | None) -> None:
        """New [[name]] tables after line `after` (None: at the end of the file)."""
        rendered: list[str] = []
        for table in tables:
            body = "".join(_dump(key, value) for key, value in table.items())
            rendered += ["\n", f"[[{name}]]\n", *body.splitlines(keepends=True)]
        at = len(self.lines) if after is None else after
        self.lines[at:at] = rendered


def _comment_of(line: str) -> str:
    """A removed line's comment, as a line of its own ("" when it has none): a comment line
    itself, or the `# ...` after `key = value`."""
    if line.lstrip().startswith("#"):
        return line
    key, _, rest = line.partition("=")
    try:
        value = next(iter(tomllib.loads(line).values()), None) if key.strip() else None
    except tomllib.TOMLDecodeError:
        return ""
    comment = ConfigText._comment(rest, value).strip() if value is not None else ""
    return f"{comment}\n" if comment else ""


def _item(line: str) -> tuple[Any, str, str] | None:
    """A line of a multi-line array holding one item: (its value, its text, the `# comment`
    after it or ""); None for any other line."""
    cuts = [m.start() for m in re.finditer("#", line)] + [len(line)]
    for cut in cuts:
        text = line[:cut].strip()
        try:
            items = tomllib.loads(f"v = [{text}]")["v"]
        except tomllib.TOMLDecodeError:
            continue
        if len(items) == 1:
            return items[0], text.rstrip(",").rstrip(), line[cut:].strip()
        return None
    return None


def _list_in_place(lines: list[str], new: list[Any]) -> list[str] | None:
    """The lines of a multi-line array (`key = [`, an item or a comment per line, `]`) saying
    `new`, with every comment kept where it was: an item that stays keeps its line, a removed
    item's comment stays as a comment line, new items go where difflib places them. None for
    a layout other than that one."""
    import difflib

    opening, closing = lines[0], lines[-1]
    if not re.search(r"=\s*\[\s*(#.*)?$", opening) or not re.match(r"^\s*\]", closing):
        return None
    items: list[tuple[int, Any, str]] = []  # (line index, value, comment)
    for index, line in enumerate(lines[1:-1], 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        found = _item(line)
        if found is None:
            return None
        items.append((index, found[0], found[2]))
    first_item = lines[items[0][0]] if items else "    "
    indent = first_item[: len(first_item) - len(first_item.lstrip())]

    def item_line(value: Any, comment: str) -> str:
        import tomli_w

        text = f"{indent}{tomli_w.dumps({'v': value})[4:-1]},"
        return f"{text}  {comment}\n" if comment else f"{text}\n"

    old = [value for _, value, _ in items]
    replaced: dict[int, list[str]] = {}  # an item's line index -> the lines it becomes
    inserted: dict[int, list[str]] = {}  # new items before the item at this line index
    at_end: list[str] = []  # new items after the last item
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        fresh = list(new[b1:b2])
        for k in range(a1, a2):
            at, _, comment = items[k]
            if op == "equal" or fresh:
                replaced[at] = [item_line(fresh.pop(0) if fresh else old[k], comment)]
            else:  # removed: its comment stays, as a line of its own
                replaced[at] = [f"{indent}{comment}\n"] if comment else []
        if fresh and op != "equal":
            rest = [item_line(value, "") for value in fresh]
            if a2 < len(items):
                inserted.setdefault(items[a2][0], []).extend(rest)
            else:
                at_end.extend(rest)
    out = [opening]
    for index, line in enumerate(lines[1:-1], 1):
        out += inserted.get(index, [])
        out += replaced.get(index, [line])
        if items and index == items[-1][0]:
            out += at_end
    return [*out, *([] if items else at_end), closing]


def edit(text: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    """`text`, whose settings are `old`, changed to say `new` (both as config.settings_data
    gives them), touching only the assignments that differ."""
    return edit_reporting(text, old, new)[0]


def edit_reporting(text: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, list[str]]:
    """edit(), and the keys whose comments inside their value were lost (a list laid out
    other than one item per line): for the save to keep a .bak and say so."""
    config = ConfigText(text)
    for key in sorted(old.keys() - new.keys()):
        if isinstance(old[key], dict | list) and not _is_scalar_list(old[key]):
            raise Unsupported(key)
        config.delete(TOP, key)
    for key, value in new.items():
        before = old.get(key)
        if value == before:
            continue
        if isinstance(value, dict):
            _edit_table(config, key, before if isinstance(before, dict) else {}, value)
        elif _is_tables(value) or _is_tables(before):
            config.set_tables(key, before if isinstance(before, list) else [], value)
        else:
            config.set(TOP, key, value)
    return config.text(), config.lost


def _is_tables(value: Any) -> bool:
    """An array of tables: a non-empty list of tables ([[accounts]])."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)


def _edit_table(config: ConfigText, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    for key in sorted(old.keys() - new.keys()):
        config.delete(name, key)
    for key, value in new.items():
        if old.get(key) == value:
            continue
        if isinstance(value, dict) or isinstance(old.get(key), dict):
            raise Unsupported(f"{name}.{key}")
        config.set(name, key, value)
