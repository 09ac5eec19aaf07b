"""Real DNS servers for the dns-01 tests, each its own instance on a free loopback port with its
own config in a temporary folder (never the packages' system services):

- BIND 9 (Debian's bind9): authoritative for test zones, TSIG-signed updates allowed in some,
  refused in one; zone transfers to loopback so a test can read a whole zone. Recursion is on
  for loopback (cache 1 s) because Pebble uses it as the CA's resolver, which follows a CNAME
  into another zone (an authoritative-only BIND stops at the CNAME); acmedash's own checks ask
  with recursion off, so they see authoritative answers only.
- PowerDNS (Debian's pdns-server + pdns-backend-sqlite3): the gsqlite3 backend and the HTTP API
  on loopback, the zone made through that API.

A missing binary is a loud failure (PebbleError, turned into pytest.fail by the fixtures),
never a skip."""

from __future__ import annotations

import base64
import json
import secrets
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tui.pebble import PebbleError, free_port

TSIG_NAME = "acmedash-test"
# Zones the BIND fixture serves. `example.test` and `alias.test` take signed updates of TXT
# records; `locked.test` takes none (a refused update); `slow.test` names a second NS host on
# 127.0.0.2 where nothing listens (a propagation that never completes); `two.test` has a real
# second server, a BIND secondary on [::1] (the same port; BIND listens only on configured
# addresses, and loopback has 127.0.0.1 and ::1) that the primary NOTIFYs after each update.
UPDATABLE = ("example.test", "alias.test", "slow.test", "two.test")
SECONDARY = "two.test"
LOCKED = "locked.test"
SCHEMA = Path("/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql")


def _binary(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise PebbleError(f"`{name}` is not installed (apt-get install {package})")
    return found


def _wait_port(
    port: int, process: subprocess.Popen[bytes], log: Path, what: str, host: str = "127.0.0.1"
) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise PebbleError(f"{what} exited with {process.returncode}: {tail}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise PebbleError(f"{what} did not listen on {host}:{port}")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _zone_text(zone: str) -> str:
    extra = {
        "slow.test": "@ IN NS ns2.slow.test.\nns2 IN A 127.0.0.2\n",
        SECONDARY: f"@ IN NS ns2.{SECONDARY}.\nns2 IN AAAA ::1\n",
    }.get(zone, "")
    cname = (
        "_acme-challenge.cname IN CNAME _acme-challenge.cname.alias.test.\n"
        if zone == "example.test"
        else ""
    )
    return (
        f"$TTL 60\n@ IN SOA ns1.{zone}. hostmaster.{zone}. 1 60 60 600 60\n"
        f"@ IN NS ns1.{zone}.\nns1 IN A 127.0.0.1\n{extra}{cname}"
    )


@dataclass
class Bind:
    folder: Path
    port: int = 0
    secret: str = field(default_factory=lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    process: subprocess.Popen[bytes] | None = None
    secondary: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    def key_block(self, secret: str | None = None) -> str:
        return (
            f'key "{TSIG_NAME}" {{\n\talgorithm hmac-sha256;\n'
            f'\tsecret "{secret or self.secret}";\n}};\n'
        )

    def start(self) -> Bind:
        named = _binary("named", "bind9")
        self.port = free_port()
        zones = ""
        for zone in (*UPDATABLE, LOCKED):
            (self.folder / f"{zone}.zone").write_text(_zone_text(zone))
            policy = (
                "allow-update { none; };"
                if zone == LOCKED
                else f"update-policy {{ grant {TSIG_NAME} zonesub TXT; }};"
            )
            notify = (
                f"notify explicit; also-notify {{ ::1 port {self.port}; }};"
                if zone == SECONDARY
                else ""
            )
            zones += (
                f'zone "{zone}" {{ type primary; file "{self.folder}/{zone}.zone"; {policy} '
                f"{notify} allow-transfer {{ 127.0.0.0/8; }}; }};\n"
            )
        self.process = self._named(named, self.folder, "127.0.0.1", self.key_block() + zones)
        secondary = self.folder / "secondary"
        secondary.mkdir()
        self.secondary = self._named(
            named,
            secondary,
            "::1",
            f'zone "{SECONDARY}" {{ type secondary; file "{secondary}/{SECONDARY}.copy"; '
            f"primaries {{ 127.0.0.1 port {self.port}; }}; "
            "allow-notify { ::1; 127.0.0.1; }; };\n",
        )
        return self

    def _named(
        self, binary: str, folder: Path, address: str, zones: str
    ) -> subprocess.Popen[bytes]:
        conf = folder / "named.conf"
        conf.write_text(
            f'options {{\n\tdirectory "{folder}";\n\tpid-file "{folder}/named.pid";\n'
            f'\tsession-keyfile "{folder}/session.key";\n'
            f'\tmanaged-keys-directory "{folder}";\n'
            f"\tlisten-on port {self.port} {{ {'none' if ':' in address else address}; }};\n"
            f"\tlisten-on-v6 port {self.port} {{ {address if ':' in address else 'none'}; }};\n"
            "\trecursion yes;\n\tallow-recursion { 127.0.0.1; };\n\tmax-cache-ttl 1;\n"
            "\tmax-ncache-ttl 1;\n\tnotify no;\n\tdnssec-validation no;\n};\n"
            "controls { };\n" + zones
        )
        log = folder / "named.log"
        process = subprocess.Popen(
            [binary, "-g", "-c", str(conf), "-p", str(self.port), "-n", "1"],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_port(self.port, process, log, f"named on {address}", address)
        except PebbleError:
            _stop(process)
            raise
        return process

    def records(self, zone: str) -> list[str]:
        """The zone's records as text (AXFR), to see what is published."""
        import dns.query
        import dns.zone

        transferred = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=self.port))
        return [
            f"{name} {rdataset.rdtype.name} {rdata}"
            for name, rdataset in transferred.iterate_rdatasets()
            for rdata in rdataset
        ]

    def txt_records(self, zone: str) -> list[str]:
        return [r for r in self.records(zone) if " TXT " in r]

    def stop(self) -> None:
        _stop(self.secondary)
        _stop(self.process)
        self.process = self.secondary = None


@dataclass
class PowerDns:
    folder: Path
    zone: str = "example.test"
    port: int = 0
    api_port: int = 0
    api_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    process: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> PowerDns:
        pdns = _binary("pdns_server", "pdns-server")
        if not SCHEMA.exists():
            raise PebbleError(f"{SCHEMA} is missing (apt-get install pdns-backend-sqlite3)")
        self.port, self.api_port = free_port(), free_port()
        database = self.folder / "pdns.sqlite3"
        with sqlite3.connect(database) as db:
            db.executescript(SCHEMA.read_text())
        (self.folder / "pdns.conf").write_text(
            "launch=gsqlite3\n"
            f"gsqlite3-database={database}\n"
            f"local-address=127.0.0.1\nlocal-port={self.port}\n"
            f"api=yes\napi-key={self.api_key}\n"
            f"webserver=yes\nwebserver-address=127.0.0.1\nwebserver-port={self.api_port}\n"
            "webserver-allow-from=127.0.0.0/8\n"
            f"socket-dir={self.folder}\nguardian=no\ndaemon=no\ndisable-syslog=yes\n"
            "cache-ttl=0\nnegquery-cache-ttl=0\nquery-cache-ttl=0\nzone-cache-refresh-interval=0\n"
        )
        log = self.folder / "pdns.log"
        self.process = subprocess.Popen(
            [pdns, f"--config-dir={self.folder}"],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        _wait_port(self.api_port, self.process, log, "pdns_server")
        _wait_port(self.port, self.process, log, "pdns_server")
        self._api(
            "POST",
            "/api/v1/servers/localhost/zones",
            {
                "name": f"{self.zone}.",
                "kind": "Native",
                "nameservers": [f"ns1.{self.zone}."],
                "rrsets": [
                    {
                        "name": f"ns1.{self.zone}.",
                        "type": "A",
                        "ttl": 60,
                        "records": [{"content": "127.0.0.1", "disabled": False}],
                    }
                ],
            },
        )
        return self

    def _api(self, method: str, path: str, body: object = None) -> object:
        request = urllib.request.Request(  # noqa: S310 - an http URL on loopback
            self.api_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"X-API-Key": self.api_key, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - loopback
            data = reply.read()
        return json.loads(data) if data else None

    def txt_records(self) -> list[str]:
        zone = self._api("GET", f"/api/v1/servers/localhost/zones/{self.zone}.")
        assert isinstance(zone, dict)
        return [
            f"{rrset['name']} {record['content']}"
            for rrset in zone["rrsets"]
            if rrset["type"] == "TXT"
            for record in rrset["records"]
        ]

    def stop(self) -> None:
        _stop(self.process)
        self.process = None
