"""Finding a zone's authoritative servers is inside --dns-timeout, concurrent, cached per zone
and capped (attacker review, finding 6): 16 NS hosts whose AAAA never answers took 48 s, one
after the other, before the timeout even started, and again for every record.

The DNS server is tests/hostile_dns.py (BIND cannot be told to leave AAAA unanswered); the
solver, its RFC 2136 publisher (an unsigned update) and dnspython are the real ones."""

from __future__ import annotations

import time

import pytest

from tests.hostile_dns import hostile_dns
from tui.acme.errors import NetworkError
from tui.acme.models import Identifier
from tui.dns.lookup import MAX_ADDRESSES, QUERY_TIMEOUT
from tui.dns.method import DnsMethod
from tui.dns.solver import build_dns_solver

TIMEOUT = 4.0


async def test_slow_ns_hosts_are_found_within_the_timeout_once_per_zone() -> None:
    with hostile_dns("slow-aaaa") as server:
        lines: list[str] = []
        method = DnsMethod(method="rfc2136", server=server.server, timeout=TIMEOUT)
        solver = build_dns_solver(method, {}, lines.append)
        started = time.monotonic()
        try:
            for name in ("a.victim.test", "b.victim.test"):
                with pytest.raises(NetworkError, match="--dns-timeout"):
                    await solver.present(Identifier("dns", name), "t", f"{name}.k")
        finally:
            await solver.close()
        elapsed = time.monotonic() - started
        asked_ns = [q for q in server.queries if q[1] == "NS"]
    # Each record: discovery and propagation within TIMEOUT, plus one query round.
    assert elapsed < 2 * (TIMEOUT + QUERY_TIMEOUT + 1), f"{elapsed:.1f} s"
    assert len(asked_ns) == 1, "the zone's servers are found once per run"


async def test_an_ns_host_with_300_addresses_is_asked_at_few() -> None:
    with hostile_dns("many-addresses") as server:
        lines: list[str] = []
        method = DnsMethod(method="rfc2136", server=server.server, timeout=1.0)
        solver = build_dns_solver(method, {}, lines.append)
        try:
            with pytest.raises(NetworkError):
                await solver.present(Identifier("dns", "a.victim.test"), "t", "k")
        finally:
            await solver.close()
    (checked,) = [line for line in lines if "authoritative servers after" in line][:1]
    assert checked.count("ns0.victim.test at ") == MAX_ADDRESSES, checked
