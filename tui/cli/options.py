"""The options every command takes, and argparse types shared by the commands."""

from __future__ import annotations

import argparse
from typing import Any

_GLOBAL_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ("--config",),
        {"metavar": "PATH", "help": "settings file (default: $ACMEDASH_CONFIG or XDG)"},
    ),
    (("--endpoint",), {"metavar": "NAME|URL", "help": "preset name or directory URL"}),
    (("--key",), {"metavar": "PATH", "help": "account key file"}),
    (("--contact",), {"metavar": "URI", "action": "append", "help": "contact (repeatable)"}),
    (("--ca-bundle",), {"metavar": "PATH", "help": "extra CA bundle to trust for the ACME server"}),
    (("--traffic",), {"metavar": "FILE", "help": "append every HTTP exchange as a JSON line"}),
    (
        ("--yes", "-y"),
        {"action": "store_true", "help": "agree to ToS and confirm production actions"},
    ),
    (("--debug",), {"action": "store_true", "help": "print the traceback of an internal error"}),
)


def global_options(parser: argparse.ArgumentParser, *, nested: bool, contact: bool = True) -> None:
    """Global options work before or after the command (`account new --yes`). On subcommands
    their default is SUPPRESS so that an option given before the command is not reset. Each
    command's parser gets them after its own options (`--help` lists those first)."""
    for flags, options in _GLOBAL_OPTIONS:
        if flags[0] == "--contact" and not contact:
            continue
        extra: dict[str, Any] = {"default": argparse.SUPPRESS} if nested else {}
        parser.add_argument(*flags, **options, **extra)


def port(text: str) -> int:
    """An argparse type: a TCP port, 1-65535, so a bad one is a usage error before any order
    is created rather than a failed bind after it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is out of range (1-65535)")
    return value
