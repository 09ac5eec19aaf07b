"""Which hosts are this machine: where plain http:// is allowed (a local test CA such as
Pebble), for the endpoint the user gives and for every URL a CA gives alike."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
