"""Publishing the TXT record through a DNS provider's API with dns-lexicon (the optional extra
`acmedash[dns]`). Lexicon is synchronous (requests): every call runs in a worker thread, so
neither the event loop nor the dashboard waits on it.

A provider's options, as lexicon names them (`auth_token`, `pdns_server`, ...), come from the
config's `[dns.PROVIDER]` table, where `NAME_file = "PATH"` reads NAME from a 0600 file, and
from lexicon's own environment variables (LEXICON_PROVIDER_OPTION), which win. Any option value
is treated as a secret: it is cut out of every message that leaves this module.

The zone is found by acmedash (lookup.find_zone) and handed to the provider as its domain:
lexicon's own guess needs the public suffix list, fetched from the network."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from tui.acme.errors import InputError, NetworkError
from tui.dns.lookup import Server
from tui.secret_file import read_secret_file
from tui.user_paths import user_path

INSTALL_HINT = "pip install 'acmedash[dns]'"
_MIN_REDACTED = 4
_WHERE = re.compile(r"(_server|_url|_endpoint|_id)$")


def lexicon_installed() -> bool:
    """Whether lexicon imports (a half-removed install counts as missing)."""
    try:
        import lexicon  # noqa: F401
    except ImportError:
        return False
    return True


def provider_names() -> list[str]:
    from lexicon._private.discovery import find_providers

    return sorted(find_providers())


def check_provider(name: str) -> None:
    """Exit 2 with how to get it: no lexicon, or a provider lexicon does not have."""
    if not lexicon_installed():
        raise InputError(
            f"--dns {name} needs dns-lexicon, an optional extra: {INSTALL_HINT} "
            "(rfc2136 is built in)"
        )
    if name not in provider_names():
        raise InputError(
            f"--dns {name}: dns-lexicon has no such provider; `lexicon --help` lists them, "
            "or use rfc2136"
        )


def provider_options(name: str, table: dict[str, Any]) -> dict[str, str]:
    """The `[dns.NAME]` table's options, `*_file` ones read from their 0600 files."""
    options: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str | int | bool):
            raise InputError(f"config [dns.{name}].{key} must be a string")
        if key.endswith("_file") and isinstance(value, str):
            path = user_path(value)
            options[key.removesuffix("_file")] = read_secret_file(path, f"{name} {key}")
        else:
            options[key] = str(value)
    return options


def redact(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_REDACTED:
            text = text.replace(secret, "***")
    return text


class LexiconPublisher:
    """Adds and removes TXT values at a provider, one call at a time: providers change a
    record set by reading it and writing it back whole (PowerDNS does), so a wildcard's and its
    apex's values added at once kept only one of them."""

    def __init__(self, provider: str, options: dict[str, str]) -> None:
        self.provider = provider
        self._options = options
        self._one_at_a_time = asyncio.Lock()

    def describe(self) -> str:
        return f"{self.provider} (dns-lexicon)"

    def _secrets(self) -> list[str]:
        """Every option value but the few that only say where (a server URL, an id)."""
        import os

        options = [v for k, v in self._options.items() if not _WHERE.search(k)]
        from_env = [v for k, v in os.environ.items() if k.startswith("LEXICON_")]
        return [*options, *from_env]

    def _run(self, zone: str, action: str, name: str, value: str) -> None:
        from lexicon._private.discovery import load_provider_module
        from lexicon.config import ConfigResolver

        config = (
            ConfigResolver()  # type: ignore[no-untyped-call]
            .with_env()
            .with_dict(
                {
                    "provider_name": self.provider,
                    "domain": zone,
                    "ttl": 60,
                    self.provider: dict(self._options),
                }
            )
        )
        provider = load_provider_module(self.provider).Provider(config)
        provider.authenticate()
        try:
            if action == "create":
                provider.create_record("TXT", name, value)
            else:
                provider.delete_record(None, "TXT", name, value)
        finally:
            provider.cleanup()

    async def _call(self, zone: str, action: str, name: str, value: str) -> None:
        verb = "adding" if action == "create" else "removing"
        what = f"{verb} TXT {name} in zone {zone} at {self.provider}"
        try:
            async with self._one_at_a_time:
                await asyncio.to_thread(self._run, zone, action, name, value)
        except (ImportError, AttributeError) as exc:
            raise InputError(f"{what}: the provider cannot load ({exc}); {INSTALL_HINT}") from None
        except OSError as exc:  # requests' errors are OSErrors
            message = redact(f"{type(exc).__name__}: {exc}", self._secrets())
            if getattr(exc, "response", None) is not None:  # the provider answered: refused
                raise InputError(f"{what}: {message}"[:500]) from None
            raise NetworkError(f"{what}: {message}"[:500]) from None
        except Exception as exc:
            message = redact(f"{type(exc).__name__}: {exc}", self._secrets())
            raise InputError(f"{what}: {message}"[:500]) from None

    async def add(self, _server: Server | None, zone: str, name: str, value: str) -> None:
        await self._call(zone, "create", name, value)

    async def delete(self, _server: Server | None, zone: str, name: str, value: str) -> None:
        await self._call(zone, "delete", name, value)
