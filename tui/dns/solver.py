"""The dns-01 Solver that publishes by itself: finds where the record goes (CNAME delegation or
--dns-alias, then the zone), publishes it (RFC 2136 or a lexicon provider), waits until every
authoritative server answers it (bounded, with progress naming each server), and removes it
afterwards: after validation, after a failure, and at close() for anything still published
(an interrupt, a cancelled order). It reports the time from publishing to the CA's validation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tui.acme.challenges import dns01_name, dns01_value
from tui.acme.errors import InputError, NetworkError
from tui.acme.models import Identifier
from tui.dns.lookup import (
    Server,
    authoritative_servers,
    cname_target,
    find_zone,
    has_txt,
    resolve_server,
)
from tui.dns.method import RFC2136, DnsMethod, provider_table

CHECK_INTERVAL = 1.0
PROGRESS_EVERY = 10.0  # seconds: a line even when no server changed, so a wait never looks hung


class Publisher(Protocol):
    def describe(self) -> str: ...

    async def add(self, server: Server | None, zone: str, name: str, value: str) -> None: ...

    async def delete(self, server: Server | None, zone: str, name: str, value: str) -> None: ...


@dataclass
class _Record:
    zone: str
    name: str
    value: str
    published: float  # time.monotonic()
    visible_after: float | None = None  # seconds after publishing; None: not seen yet


class DnsUpdateSolver:
    challenge_type = "dns-01"

    def __init__(
        self,
        publisher: Publisher,
        method: DnsMethod,
        progress: Callable[[str], None],
    ) -> None:
        self.publisher = publisher
        self.method = method
        self.progress = progress
        self.server: Server | None = None
        self._records: list[_Record] = []
        self._zones: dict[str, str] = {}
        self._places: dict[str, tuple[str, str]] = {}  # found by check(), used by present()
        # Per zone, found once in a run and shared by every record in it (a task, so that
        # records presented at once wait for the same lookup).
        self._servers: dict[str, asyncio.Task[list[Server]]] = {}
        self._resolving = asyncio.Lock()

    async def _resolve_server(self) -> None:
        """--dns-server's address, looked up once (authorizations are presented at once)."""
        async with self._resolving:
            if self.method.server and self.server is None:
                self.server = await resolve_server(self.method.server)

    async def _target(self, name: str) -> str:
        if self.method.alias:
            return f"_acme-challenge.{self.method.alias.strip('.')}"
        target = await cname_target(name, self.server)
        if target != name:
            self.progress(f"{name} is a CNAME to {target}: publishing there")
        return target

    async def _zone(self, name: str) -> str:
        if name not in self._zones:
            self._zones[name] = await find_zone(name, self.server)
        return self._zones[name]

    async def _place(self, name: str) -> tuple[str, str]:
        """Where `name`'s record goes: its (CNAME or alias) target and the target's zone."""
        if name not in self._places:
            await self._resolve_server()
            try:
                target = await self._target(name)
                self._places[name] = target, await self._zone(target)
            except NetworkError as exc:
                raise NetworkError(f"{exc} (finding the zone of {name})") from None
        return self._places[name]

    async def check(self, identifiers: list[Identifier]) -> None:
        """Before the order: --dns-server answers and holds a zone for every name (an
        unreachable one was found only after the order was made). Without --dns-server the
        system resolver finds the zones at present(), as a provider's may not be public yet."""
        if self.method.server:
            await asyncio.gather(*(self._place(dns01_name(i)) for i in identifiers))

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        name, value = dns01_name(identifier), dns01_value(key_auth)
        target, zone = await self._place(name)
        record = _Record(zone, target, value, time.monotonic())
        # Kept before the update is sent: after a timeout or an interrupt (Ctrl+C) it may have
        # landed all the same, and is removed then. Only a refusal surely left nothing.
        self._records.append(record)
        try:
            await self.publisher.add(self.server, zone, target, value)
        except InputError:
            self._records.remove(record)
            raise
        self.progress(f"{target}: TXT published in zone {zone} ({self.publisher.describe()})")
        await self._wait_visible(record)

    async def _authoritative(self, record: _Record, deadline: float) -> list[Server]:
        """The zone's servers, found within the same --dns-timeout as the propagation."""
        if record.zone not in self._servers:
            port = self.server.port if self.server else 53
            found = authoritative_servers(record.zone, self.server, port)
            self._servers[record.zone] = asyncio.ensure_future(found)
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0)):
                # Shielded: a record giving up does not cancel the lookup others share.
                return await asyncio.shield(self._servers[record.zone])
        except TimeoutError:
            raise NetworkError(
                f"zone {record.zone}: its authoritative servers were not found within "
                f"{self.method.timeout:.0f} s (--dns-timeout)"
            ) from None

    async def _wait_visible(self, record: _Record) -> None:
        deadline = record.published + self.method.timeout
        servers = await self._authoritative(record, deadline)
        shown, shown_at = "", 0.0
        while True:
            answers = await asyncio.gather(
                *(has_txt(s, record.name, record.value) for s in servers)
            )
            ready = [s for s, yes in zip(servers, answers, strict=True) if yes]
            waited = time.monotonic() - record.published
            line = ", ".join(
                f"{s.label}: {'yes' if yes else 'not yet'}"
                for s, yes in zip(servers, answers, strict=True)
            )
            if line != shown or waited - shown_at >= PROGRESS_EVERY:
                self.progress(
                    f"{record.name}: on {len(ready)}/{len(servers)} authoritative servers "
                    f"after {waited:.1f} s of {self.method.timeout:.0f} ({line})"
                )
                shown, shown_at = line, waited
            if len(ready) == len(servers):
                record.visible_after = waited
                return
            if time.monotonic() > deadline:
                missing = ", ".join(s.label for s in servers if s not in ready)
                raise NetworkError(
                    f"{record.name} in zone {record.zone}: not answered by {missing} "
                    f"after {self.method.timeout:.0f} s (--dns-timeout)"
                )
            await asyncio.sleep(CHECK_INTERVAL)

    async def _remove(self, record: _Record) -> None:
        self._records.remove(record)
        await self.publisher.delete(self.server, record.zone, record.name, record.value)
        self.progress(f"{record.name}: TXT removed from zone {record.zone}")

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        value = dns01_value(key_auth)
        for record in [r for r in self._records if r.value == value]:
            if record.visible_after is not None:
                elapsed = time.monotonic() - record.published
                self.progress(
                    f"{record.name}: {elapsed:.1f} s from publishing to the CA's validation "
                    f"(on every authoritative server after {record.visible_after:.1f} s)"
                )
            await self._remove(record)

    async def close(self) -> None:
        """Removes what is still published (an interrupted or cancelled issuance), and ends
        the server lookups nobody waits for any more."""
        for lookup in self._servers.values():
            if not lookup.done():
                lookup.cancel()
            elif not lookup.cancelled():
                lookup.exception()  # seen: a failure every record already reported
        first: Exception | None = None
        for record in list(self._records):
            try:
                await self._remove(record)
            except (InputError, NetworkError) as exc:
                first = first or exc
        if first is not None:
            raise first


def _check_names(method: DnsMethod) -> None:
    """--dns-server and --dns-alias checked before any order is made."""
    from tui.acme.identifiers import identifier_for
    from tui.dns.lookup import split_host_port

    if method.server:
        split_host_port(method.server)
    if method.alias:
        alias = identifier_for(method.alias)
        if alias.type != "dns" or alias.value.startswith("*."):
            raise InputError(f"--dns-alias {method.alias!r}: give a DNS zone name")


def build_dns_solver(
    method: DnsMethod, dns: dict[str, Any], progress: Callable[[str], None]
) -> DnsUpdateSolver:
    """The solver for `method`, with `dns` the config's [dns] table (for [dns.PROVIDER]);
    secrets are read now, so a missing or unreadable one fails before any order."""
    publisher: Publisher
    _check_names(method)
    if method.method == RFC2136:
        from tui.dns.rfc2136 import Rfc2136Publisher
        from tui.dns.tsig import load_tsig_key

        if not method.server:
            raise InputError("--dns rfc2136 needs the update server: --dns-server HOST[:PORT]")
        key = load_tsig_key(method.tsig_key, method.tsig_algorithm, method.tsig_secret_file)
        publisher = Rfc2136Publisher(key)
    else:
        from tui.dns.providers import LexiconPublisher, check_provider, provider_options

        check_provider(method.method)
        options = provider_options(method.method, provider_table(dns, method.method))
        publisher = LexiconPublisher(method.method, options)
    return DnsUpdateSolver(publisher, method, progress)
