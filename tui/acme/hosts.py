"""Which hosts are this machine: where plain http:// is allowed (a local test CA such as
Pebble), for the endpoint the user gives and for every URL a CA gives alike."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """`localhost` and loopback addresses: where plain http is allowed and the badge says
    LOCAL. Not `*.localhost` (RFC 6761 asks resolvers to keep those on the machine, but
    `hosts: files dns` sends them to the DNS server, and an answer there would have taken
    cleartext ACME, badged LOCAL, off the machine)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
