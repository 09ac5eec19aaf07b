"""A Select for forms whose letters are not commands."""

from __future__ import annotations

from textual.widgets import Select


class Choice(Select[str]):
    """Textual's Select does not use the letters typed at it, so they would reach the screen's
    one-letter keys: a person typing into the Orders form would open the endpoint picker with
    `e`. Claiming them (check_consume_key) takes them out of the binding chain: they neither
    run nor show in the key bar while a Choice (or its open list) has focus."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable()
