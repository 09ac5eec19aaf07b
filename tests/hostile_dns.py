"""A hostile authoritative DNS server for zone victim.test on 127.0.0.1 (UDP and TCP).

Why a fake: BIND and PowerDNS answer every question they hold; neither can be told to leave an
AAAA question unanswered or to list 300 addresses for one NS host. Modes:
"slow-aaaa" (16 NS hosts ns0..ns15.victim.test, each A 127.0.0.1, AAAA never answered) and
"many-addresses" (one NS host with 300 A records, 127.0.1.1 and on). Dynamic updates (RFC
2136, unsigned) are accepted; TXT never holds the record, so a propagation check never ends.
`queries` lists each question as (name, type).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rdatatype
import dns.rrset

ZONE = dns.name.from_text("victim.test.")


@dataclass
class HostileDns:
    mode: str
    port: int = 0
    queries: list[tuple[str, str]] = field(default_factory=list)

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    def answer(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if query.opcode() == dns.opcode.UPDATE:
            return response.to_wire()
        name, rdtype = query.question[0].name, query.question[0].rdtype
        self.queries.append((name.to_text(), dns.rdatatype.to_text(rdtype)))
        soa = dns.rrset.from_text(
            ZONE, 60, "IN", "SOA", "ns0.victim.test. h.victim.test. 1 60 60 60 60"
        )
        if rdtype == dns.rdatatype.SOA:
            (response.answer if name == ZONE else response.authority).append(soa)
        elif rdtype == dns.rdatatype.NS and name == ZONE:
            count = 1 if self.mode == "many-addresses" else 16
            hosts = [f"ns{i}.victim.test." for i in range(count)]
            response.answer.append(dns.rrset.from_text_list(ZONE, 60, "IN", "NS", hosts))
        elif rdtype == dns.rdatatype.A and name.labels[0].startswith(b"ns"):
            count = 300 if self.mode == "many-addresses" else 1
            addresses = [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(count)]
            if count == 1:
                addresses = ["127.0.0.1"]
            response.answer.append(dns.rrset.from_text_list(name, 60, "IN", "A", addresses))
        elif rdtype == dns.rdatatype.AAAA and self.mode == "slow-aaaa":
            return None
        return response.to_wire(max_size=65535)


def _udp(sock: socket.socket, server: HostileDns) -> None:
    with suppress(OSError):
        while True:
            data, peer = sock.recvfrom(65535)
            if not data:  # shut down
                return
            out = server.answer(data)
            if out is not None:
                if len(out) > 512:  # truncated: the client asks again over TCP
                    message = dns.message.from_wire(out)
                    message.flags |= dns.flags.TC
                    message.answer.clear()
                    out = message.to_wire()
                sock.sendto(out, peer)


def _tcp(sock: socket.socket, server: HostileDns) -> None:
    with suppress(OSError):
        while True:
            conn, _ = sock.accept()
            with conn, suppress(OSError, dns.exception.DNSException):  # a client gone: next
                size = int.from_bytes(conn.recv(2), "big")
                data = b""
                while len(data) < size:
                    data += conn.recv(size - len(data))
                out = server.answer(data)
                if out is not None:
                    conn.sendall(len(out).to_bytes(2, "big") + out)


@contextmanager
def hostile_dns(mode: str) -> Iterator[HostileDns]:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    server = HostileDns(mode, udp.getsockname()[1])
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", server.port))
    tcp.listen(16)
    for target, sock in ((_udp, udp), (_tcp, tcp)):
        threading.Thread(target=target, args=(sock, server), daemon=True).start()
    try:
        yield server
    finally:
        for sock in (udp, tcp):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
