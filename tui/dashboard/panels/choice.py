"""Lists and selects for forms, whose letters are not commands."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import takewhile
from typing import Any

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import OptionList, Select


def letters_stay(widget: Widget, key: str, character: str | None) -> bool:
    """check_consume_key for a list: its letters act on the list (its own keys and its panel's:
    `e` edits a contact) or do nothing; they never reach the screen's one-letter commands.
    Textual's lists use no letters, so `d` typed at the Contacts list fetched the directory.
    Claiming a letter takes the screen's and the App's bindings of it out of the chain; digits
    (the jump keys) and punctuation (`?`, `<`) still act."""
    if character is None or not character.isalpha():
        return False
    if any(b.action == "quit" for b in widget.app._bindings.key_to_bindings.get(key, [])):
        return False  # quitting works wherever focus is, as README's key table says
    panel = takewhile(lambda node: not isinstance(node, Screen), widget.ancestors_with_self)
    return not any(key in node._bindings.key_to_bindings for node in panel)


class QuietList(OptionList):
    """An OptionList in a form (the contacts), see letters_stay."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return letters_stay(self, key, character)


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
