"""A hand-edited TOML file's mistakes as one line a person can act on: `FILE:LINE:COLUMN: what is
wrong`, the form compilers use, so an editor jumps there.

tomllib says "Invalid value (at line 12, column 7)" or "Unterminated string (at end of
document)": the column points past the mistake, and a string or array left open is reported
at the end of the file, far from where it was opened. Here each kind is said in words, the
column is where the mistake starts, and an open string or array is found where it opens.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_KEY = re.compile(r"""^\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)(?:\s*\.\s*\S+)*\s*=""")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]")


def _value_column(line: str) -> int:
    """1-based column of the value after `key =`, or of the line's first character."""
    found = _KEY.match(line)
    if not found:
        return len(line) - len(line.lstrip()) + 1
    rest = line[found.end() :]
    return found.end() + len(rest) - len(rest.lstrip()) + 1


def _key_of(line: str) -> str:
    found = _KEY.match(line)
    return found.group(0).rstrip("=").strip().strip("\"'") if found else ""


def _first_line(lines: list[str], key: str, before: int, header: bool) -> int | None:
    """The 1-based line before `before` where `key` (or table `key`) was first set."""
    for number, line in enumerate(lines[: before - 1], 1):
        found = _HEADER.match(line) if header else None
        if (found.group(1) if found else _key_of(line) if not header else None) == key:
            return number
    return None


def _parses(text: str) -> bool:
    try:
        tomllib.loads(text + "\n")
    except tomllib.TOMLDecodeError:
        return False
    return True


def _open(lines: list[str]) -> bool:
    """Whether `lines` end inside a string, array or table left open."""
    try:
        tomllib.loads("\n".join(lines) + "\n")
    except tomllib.TOMLDecodeError as exc:
        return "end of document" in str(exc)
    return False


def _opened_at(lines: list[str]) -> int:
    """The 1-based line where the construct left open at the end of the document opens: the
    first line from which every longer prefix of the file ends inside it."""
    start = len(lines)
    while start > 1 and _open(lines[: start - 1]):
        start -= 1
    return start


# Keys whose values are never quoted back (the EAB MAC key, a DNS provider's token, a TSIG
# secret): a config error goes to a terminal, and a timer's to the journal. A broad net (not a
# path such as `account_key`, not `reuse_key`): the line and column point at the value anyway.
_SECRET_KEY = re.compile(
    r"(?:hmac|api|private|secret|access)_?key|secret|token|pass|credential|auth", re.IGNORECASE
)


def _describe(reason: str, text: str, lines: list[str], line: int, column: int) -> tuple[str, int]:
    """(what is wrong, the column it starts at) for tomllib's `reason` at `line`."""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    value_at = _value_column(source)
    value = source[value_at - 1 :].split("#")[0].strip()
    key = _key_of(source)
    secret = bool(_SECRET_KEY.search(key))
    shown = f"the value of {key!r}" if secret else repr(value)
    after = shown if secret else f"the value: {source[column - 1 :].strip()!r}"
    if reason == "Invalid value" and not value:
        return "expected a value after '='", value_at
    if reason == "Invalid value" and value[:1] in "[{":
        return f"'{value[0]}' opened here is never closed", value_at
    if reason == "Invalid value":
        return f"{shown} is not a value (a string needs quotes)", value_at
    if reason == "Cannot overwrite a value":
        key = _key_of(source)
        first = _first_line(lines, key, line, header=False)
        again = f" (first set on line {first})" if first else ""
        return f"duplicate key {key!r}{again}", len(source) - len(source.lstrip()) + 1
    if reason.startswith("Cannot declare"):
        header = _HEADER.match(source)
        name = header.group(1) if header else source.strip()
        first = _first_line(lines, name, line, header=True)
        again = f" (first on line {first})" if first else ""
        return f"table [{name}] declared twice{again}", 1
    if reason in ("Illegal character '\\n'", "Unterminated string") or reason.startswith(
        'Expected "\'"'
    ):
        return "string not closed (its closing quote is missing)", value_at
    if reason.startswith("Unclosed"):
        return f"{reason.removeprefix('Unclosed ')} not closed", value_at
    if reason.startswith("Expected newline or end of document"):
        return f"unexpected text after {after}", column
    if reason.startswith("Expected ']'"):
        return "table header not closed (']' missing)", column
    if reason in ("Invalid statement", "Expected '=' after a key in a key/value pair"):
        return "expected 'key = value' or a [table] header", column
    return reason[:1].lower() + reason[1:], column


def syntax_error(path: Path, text: str, message: str) -> str:
    """tomllib's `message` about `text` (read from `path`) as `path:line:column: what`."""
    lines = text.splitlines()
    at = _AT.search(message)
    reason = message[: at.start()] if at else message
    if at and at.group(1):
        line, column = int(at.group(1)), int(at.group(2))
        if reason == "Invalid value" and _parses(lines[line - 1]) and _open(lines[: line - 1]):
            # `key = "x"` is fine alone: it is read as an item of an array opened above
            line, column, reason = _opened_at(lines[: line - 1]), 1, "Unclosed array"
    else:  # at end of document: something opened earlier was never closed
        line, column = _opened_at(lines), 1
        if reason == "Invalid value":
            reason = "Unclosed array" if "[" in lines[line - 1] else reason
    what, column = _describe(reason, text, lines, line, column)
    return f"{path}:{line}:{column}: {what}"


def value_column(text: str, line: int) -> int:
    """For a wrongly typed value on `line` (1-based) of `text`: the column its value starts."""
    lines = text.splitlines()
    return _value_column(lines[line - 1]) if 0 < line <= len(lines) else 1
