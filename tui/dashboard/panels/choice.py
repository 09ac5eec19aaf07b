"""A Select for forms whose letters are not commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import Select


class Choice(Select[str]):
    """Textual's Select does not use the letters typed at it, so they would reach the screen's
    one-letter keys: a person typing into the Orders form would open the endpoint picker with
    `e`. Claiming them (check_consume_key) takes them out of the binding chain: they neither
    run nor show in the key bar while a Choice (or its open list) has focus. But `?`: help
    for where focus is works here as everywhere."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable() and character != "?"

    def __init__(self, options: Iterable[tuple[str, str]], *, value: str, **kwargs: Any) -> None:
        super().__init__(options, value=value, **kwargs)
        self._initial = value

    @property
    def chosen(self) -> str:
        """The value, also between composing and mounting, while Select's own is still NULL
        (an Orders form read in that moment ordered with challenge type 'Select.NULL')."""
        value = self.value
        return value if isinstance(value, str) else self._initial
