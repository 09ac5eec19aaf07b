"""Key type names, apart from keys.py so that menus and argument parsers need no cryptography."""

from typing import Final

KEY_TYPES: Final = ("ec256", "ec384", "rsa2048", "rsa3072", "rsa4096")
DEFAULT_KEY_TYPE: Final = "ec256"
