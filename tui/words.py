"""Counts in words, for the messages a person reads: `1 match`, `2 matches`. "1 matches" and
"certificate(s)" read as slips, and a count that is usually 1 is read most often."""

from __future__ import annotations

_SIBILANT = ("s", "x", "z", "ch", "sh")


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun` agreeing with it; `plural` for a noun that does not take -s/-es."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {plural or (noun + ('es' if noun.endswith(_SIBILANT) else 's'))}"
