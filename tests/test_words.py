"""Counts in the UI agree with their nouns: "1 matches" and "certificate(s)" read as slips."""

from __future__ import annotations

import ast
from pathlib import Path

from tui.words import counted

DASHBOARD = Path(__file__).parent.parent / "tui" / "dashboard"


def test_a_count_of_one_takes_the_singular_and_any_other_the_plural() -> None:
    assert counted(1, "match") == "1 match"
    assert counted(0, "match") == "0 matches"
    assert counted(2, "exchange") == "2 exchanges"
    assert counted(1, "more line") == "1 more line"
    assert counted(12_000, "key") == "12,000 keys"
    assert counted(3, "box", "boxen") == "3 boxen"


def test_no_dashboard_text_counts_with_an_s_in_brackets() -> None:
    """`level(s)`, `line(s)`, `certificate(s)`: the dashboard says the count's own form."""
    found = [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for path in sorted(DASHBOARD.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and "(s)" in node.value.replace("http(s)", "")
    ]
    assert not found, found
