"""Start a throwaway Pebble (Debian's `pebble` package) on free loopback ports.

Used by `acmedash demo` and by the test suite, so both run the very same setup: a CA and a
server certificate made here, a config file, PEBBLE_VA_NOSLEEP, and a wait until it answers.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import random
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tui.acme.errors import InputError
from tui.acme.hooks import hook_environment


class PebbleError(InputError):
    """Pebble is missing or did not come up (the CLI reports it as an input error, exit 2)."""


_LOWEST_PORT = 10000
_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port for something that will listen there later, often another process.
    Taken below the kernel's ephemeral range: a port from that range may meanwhile become the
    source port of some outgoing connection, and the later bind then fails (seen in the
    tests). Checked free now, and never handed out twice by this process."""
    high = _ephemeral_low() - 1
    for _ in range(200):
        port = random.randint(_LOWEST_PORT, high)  # noqa: S311 - not security relevant
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise PebbleError("no free loopback port below the ephemeral range")


def _write_tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a leaf for localhost / 127.0.0.1; returns (ca.pem, cert.pem, key.pem)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "acmedash test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return ca_path, cert_path, key_path


@dataclass
class Pebble:
    """A running Pebble; `directory_url` and `ca_bundle` are what a client needs."""

    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    extra_config: dict[str, object] = field(default_factory=dict)
    # host:port of a DNS server (pebble-challtestsrv) for real http-01 / dns-01 / tls-alpn-01
    # validation; without one Pebble resolves names with the system resolver.
    dns_server: str = ""
    port: int = 0
    ca_bundle: Path = Path()
    process: subprocess.Popen[bytes] | None = None

    @property
    def directory_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/dir"

    def start(self, timeout: float = 20.0) -> Pebble:
        binary = shutil.which("pebble")
        if binary is None:
            raise PebbleError(
                "the `pebble` binary is not on PATH; install it with `apt-get install pebble` "
                "(Debian/Ubuntu) or `go install github.com/letsencrypt/pebble/v2/cmd/pebble@latest`"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ca_bundle, cert, key = _write_tls_files(self.folder)
        self.port = free_port()
        config = {
            "listenAddress": f"127.0.0.1:{self.port}",
            "managementListenAddress": f"127.0.0.1:{free_port()}",
            "certificate": str(cert),
            "privateKey": str(key),
            "httpPort": free_port(),
            "tlsPort": free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": False,
        }
        config.update(self.extra_config)
        config_path = self.folder / "pebble-config.json"
        config_path.write_text(json.dumps({"pebble": config}, indent=2))
        # Pebble is somebody else's program: the secrets acmedash was given stay with it.
        env = hook_environment({"PEBBLE_VA_NOSLEEP": "1", **self.env})
        log = (self.folder / "pebble.log").open("wb")
        # Go flags: `-name=value`; `-strict false` would end flag parsing silently.
        command = [binary, f"-config={config_path}", "-strict=false"]
        if self.dns_server:
            command.append(f"-dnsserver={self.dns_server}")
        self.process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.folder,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        context = ssl.create_default_context(cafile=str(self.ca_bundle))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                log = (self.folder / "pebble.log").read_text(errors="replace")[-2000:]
                raise PebbleError(f"pebble exited with {self.process.returncode}: {log}")
            try:
                # An https URL we built ourselves, on loopback.
                url = self.directory_url
                with urllib.request.urlopen(url, context=context, timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise PebbleError(f"pebble did not answer at {self.directory_url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@dataclass
class ChallTestSrv:
    """pebble-challtestsrv as the DNS server Pebble asks: every A query answers 127.0.0.1,
    and TXT records for dns-01 are set and cleared through its management API."""

    dns_port: int = 0
    management_port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> ChallTestSrv:
        binary = shutil.which("pebble-challtestsrv")
        if binary is None:
            raise PebbleError("`pebble-challtestsrv` is not on PATH (Debian's pebble package)")
        self.dns_port, self.management_port = free_port(), free_port()
        self.process = subprocess.Popen(
            [
                binary,
                f"-dns01=127.0.0.1:{self.dns_port}",
                "-http01=",
                "-https01=",
                "-tlsalpn01=",
                f"-management=127.0.0.1:{self.management_port}",
                "-defaultIPv4=127.0.0.1",
                "-defaultIPv6=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=hook_environment({}),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.management_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise PebbleError("pebble-challtestsrv did not start")

    @property
    def dns_server(self) -> str:
        return f"127.0.0.1:{self.dns_port}"

    def _post(self, path: str, body: dict[str, str]) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.management_port}{path}",
            data=json.dumps(body).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass

    def set_txt(self, name: str, value: str) -> None:
        self._post("/set-txt", {"host": f"{name}.", "value": value})

    def clear_txt(self, name: str) -> None:
        self._post("/clear-txt", {"host": f"{name}."})

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)
        self.process = None
