"""The DNS questions dns-01 asks (dnspython, asyncio): which zone holds a name (the SOA walk),
where `_acme-challenge.NAME` points (CNAME delegation), which servers are authoritative for a
zone and whether each one answers a TXT value yet.

A `Server` is the one the user named (--dns-server), asked first; without one the system
resolver answers. Authoritative servers are asked directly, recursion off, on the port the user
gave (53 by default), so a test server on a loopback port works like a real one. Every answer
is untrusted: sizes are dnspython's wire limits, every query has a timeout, CNAME chains are
bounded, and names from answers are only compared and queried, never used in a path or a shell.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.acme.errors import InputError, NetworkError

if TYPE_CHECKING:
    import dns.message
    import dns.name

QUERY_TIMEOUT = 3.0
MAX_CNAME_CHAIN = 8
MAX_SERVERS = 16  # NS hosts used per zone, and servers asked in all
MAX_ADDRESSES = 4  # addresses used per NS host: a zone's answers choose how many we ask


@dataclass(frozen=True)
class Server:
    host: str  # as the user wrote it, for messages
    address: str  # an IP address
    port: int = 53

    def __str__(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{shown}:{self.port}"

    @property
    def label(self) -> str:
        """For progress: the NS host's name and where it was asked."""
        if self.host == self.address:
            return str(self)
        return f"{self.host} at {Server(self.address, self.address, self.port)}"


def split_host_port(text: str) -> tuple[str, int | None]:
    """HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host:
        raise InputError(f"--dns-server {text!r}: no host")
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError(f"--dns-server {text!r}: the port must be a number from 1 to 65535")
    return host, int(port_text)


async def resolve_server(text: str, default_port: int = 53) -> Server:
    """The server's address (a host name is looked up once, by the system)."""
    host, port = split_host_port(text)
    port = port or default_port
    try:
        ipaddress.ip_address(host)
        return Server(host, host, port)
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError as exc:
        raise NetworkError(f"DNS server {host}: cannot resolve the name ({exc})") from None
    return Server(host, str(infos[0][4][0]), port)


def _name(text: str) -> dns.name.Name:
    import dns.name

    return dns.name.from_text(text)


async def ask(server: Server, qname: str, rdtype: str) -> dns.message.Message:
    """One question to one server, recursion off (an authoritative answer, not a cache's)."""
    import dns.asyncquery
    import dns.exception
    import dns.message

    query = dns.message.make_query(qname, rdtype)
    query.flags &= ~0x0100  # RD off
    try:
        response, _ = await dns.asyncquery.udp_with_fallback(
            query, server.address, timeout=QUERY_TIMEOUT, port=server.port
        )
    except dns.exception.Timeout:
        raise NetworkError(
            f"DNS server {server} did not answer within {QUERY_TIMEOUT:.0f} s"
        ) from None
    except (OSError, dns.exception.DNSException) as exc:
        raise NetworkError(f"DNS server {server}: {type(exc).__name__}: {exc}") from None
    return response


async def _ask_resolver(qname: str, rdtype: str) -> dns.message.Message | None:
    """The system resolver's answer; None when the name or the type does not exist."""
    import dns.asyncresolver
    import dns.exception
    import dns.resolver

    try:
        answer = await dns.asyncresolver.resolve(qname, rdtype, lifetime=QUERY_TIMEOUT * 2)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return None
    except dns.exception.DNSException as exc:
        raise NetworkError(f"the system resolver: {type(exc).__name__}: {exc}") from None
    return answer.response


async def find_zone(name: str, server: Server | None) -> str:
    """The zone `name` belongs to: the SOA walk (each label up until a SOA owner). Asked at
    `server` when given (authoritative answers carry the zone's SOA in the authority section
    for a missing name, so one question usually suffices), else through the system resolver."""
    import dns.rcode
    import dns.rdatatype

    if server is None:
        import dns.asyncresolver

        try:
            zone = await dns.asyncresolver.zone_for_name(name, lifetime=QUERY_TIMEOUT * 2)
        except Exception as exc:  # dnspython raises several kinds; all mean "no zone found"
            raise InputError(f"no DNS zone found for {name} ({type(exc).__name__})") from None
        return zone.to_text(omit_final_dot=True)
    candidate = _name(name)
    while len(candidate.labels) > 1:
        response = await ask(server, candidate.to_text(), "SOA")
        if response.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            for rrset in (*response.answer, *response.authority):
                if rrset.rdtype == dns.rdatatype.SOA and name_within(_name(name), rrset.name):
                    return str(rrset.name.to_text(omit_final_dot=True))
        candidate = candidate.parent()
    raise InputError(f"DNS server {server} is not authoritative for any zone holding {name}")


def name_within(name: dns.name.Name, zone: dns.name.Name) -> bool:
    return name == zone or name.is_subdomain(zone)


async def cname_target(name: str, server: Server | None) -> str:
    """Where `name` ends up when it is a CNAME (followed at most MAX_CNAME_CHAIN times):
    `name` itself when it is none."""
    import dns.rdatatype

    current = name
    for _ in range(MAX_CNAME_CHAIN):
        if server is None:
            response = await _ask_resolver(current, "CNAME")
        else:
            response = await ask(server, current, "CNAME")
        target = None
        for rrset in response.answer if response is not None else []:
            if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == _name(current):
                target = rrset[0].target.to_text(omit_final_dot=True)
        if target is None:
            return current
        current = target
    raise InputError(f"{name}: the CNAME chain is longer than {MAX_CNAME_CHAIN}")


async def _answer(host: str, rdtype: str, server: Server | None) -> dns.message.Message | None:
    try:
        return await (ask(server, host, rdtype) if server else _ask_resolver(host, rdtype))
    except NetworkError:
        return None


async def _addresses(host: str, server: Server | None) -> list[str]:
    """A and AAAA asked at once (a server that never answers one costs one timeout, not two),
    at most MAX_ADDRESSES of them."""
    import dns.rdatatype

    responses = await asyncio.gather(*(_answer(host, t, server) for t in ("A", "AAAA")))
    found = [
        rdata.address
        for response in responses
        for rrset in (response.answer if response is not None else [])
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
        for rdata in rrset
    ]
    if not found and server is not None:
        return await _addresses(host, None)  # a host outside the server's zones
    return found[:MAX_ADDRESSES]


async def authoritative_servers(zone: str, server: Server | None, port: int) -> list[Server]:
    """The zone's NS hosts, each address of each on `port`, plus `server` itself (the update
    server, often the hidden primary). At most MAX_SERVERS hosts, looked up concurrently (16
    hosts whose AAAA never answers took 48 s one after the other), and MAX_SERVERS servers."""
    import dns.rdatatype

    response = await (ask(server, zone, "NS") if server else _ask_resolver(zone, "NS"))
    hosts = sorted(
        {
            rdata.target.to_text(omit_final_dot=True)
            for rrset in (response.answer if response is not None else [])
            if rrset.rdtype == dns.rdatatype.NS
            for rdata in rrset
        }
    )
    found: list[Server] = []
    looked_up = await asyncio.gather(*(_addresses(host, server) for host in hosts[:MAX_SERVERS]))
    for host, addresses in zip(hosts, looked_up, strict=False):
        for address in addresses:
            candidate = Server(host, address, port)
            if all(candidate.address != s.address or candidate.port != s.port for s in found):
                found.append(candidate)
    if server and all(server.address != s.address or server.port != s.port for s in found):
        found.insert(0, server)
    if not found:
        raise InputError(f"zone {zone}: no authoritative server found (no NS records)")
    return found[:MAX_SERVERS]


async def has_txt(server: Server, name: str, value: str) -> bool:
    """Whether `server` answers `value` among the TXT records at `name`; False when it does
    not answer at all (it may be restarting)."""
    import dns.rdatatype

    try:
        response = await ask(server, name, "TXT")
    except NetworkError:
        return False
    for rrset in response.answer:
        if rrset.rdtype != dns.rdatatype.TXT or rrset.name != _name(name):
            continue
        if any(b"".join(rdata.strings) == value.encode("ascii") for rdata in rrset):
            return True
    return False
