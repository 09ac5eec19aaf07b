"""tls-alpn-01 (RFC 8737), for DNS names and IP addresses (RFC 8738 §6): a TLS responder that
offers only `acme-tls/1` and presents, per SNI name, a self-signed challenge certificate.

For an IP address the CA sends no IP as SNI (TLS forbids it, RFC 6066 §3) but the address's
reverse-DNS name (`1.0.0.127.in-addr.arpa`), and checks an iPAddress subjectAltName: looking
the certificate up by the plain IP, with a dNSName of it, never validated.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import os
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

from tui.acme.fileio import atomic_write
from tui.acme.listener import Listener
from tui.acme.models import Identifier

ACME_TLS_ALPN = "acme-tls/1"
ACME_IDENTIFIER_OID = ObjectIdentifier("1.3.6.1.5.5.7.1.31")  # RFC 8737 §3


def server_name(identifier: Identifier) -> str:
    """The SNI name the CA sends for `identifier`: the name itself, or for an IP address its
    reverse-DNS name (RFC 8738 §6, RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa)."""
    if identifier.type == "ip":
        return ipaddress.ip_address(identifier.value).reverse_pointer
    return identifier.value.lower()


def _subject_alt_name(name: str) -> x509.GeneralName:
    """An iPAddress entry for an IP address (RFC 8738 §6), a dNSName for anything else."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def alpn_certificate(name: str, key_auth: str) -> tuple[bytes, bytes]:
    """RFC 8737 §3: a self-signed certificate for `name` (a domain or an IP address) with the
    critical acmeIdentifier extension holding SHA-256(key authorization). Returns (cert PEM,
    key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    digest = hashlib.sha256(key_auth.encode("ascii")).digest()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([_subject_alt_name(name)]), critical=False)
        # DER OCTET STRING (tag 4, length 32) around the digest.
        .add_extension(
            x509.UnrecognizedExtension(ACME_IDENTIFIER_OID, b"\x04\x20" + digest), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


class TlsAlpn01Responder:
    """A TLS server that offers only `acme-tls/1` and presents, per SNI name, the challenge
    certificate for that name (RFC 8737 §3; server_name for IP addresses)."""

    challenge_type = "tls-alpn-01"

    def __init__(self, host: str = "0.0.0.0", port: int = 443) -> None:  # noqa: S104 - CAs connect from outside
        self.host = host
        self.port = port
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._listener = Listener(self._handle, "tls-alpn-01")
        self._starting = asyncio.Lock()
        self._folder = tempfile.TemporaryDirectory(prefix="acmedash-alpn-")

    def _context_for(self, cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_alpn_protocols([ACME_TLS_ALPN])
        folder = Path(self._folder.name)
        fd, name = tempfile.mkstemp(dir=folder, suffix=".pem")
        with os.fdopen(fd, "wb") as handle:
            handle.write(cert_pem + key_pem)
        context.load_cert_chain(name)
        os.unlink(name)
        return context

    def _pick(self, sock: ssl.SSLObject, sni: str | None, _: ssl.SSLContext) -> None:
        context = self._contexts.get((sni or "").lower())
        if context is not None:
            sock.context = context

    async def start(self) -> None:
        async with self._starting:  # authorizations are presented concurrently
            if self._listener.listening:
                return
            default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            default.set_alpn_protocols([ACME_TLS_ALPN])
            default.load_cert_chain(self._write_default())
            default.sni_callback = self._pick
            await self._listener.listen(self.host, self.port, tls=default)

    def _write_default(self) -> str:
        cert_pem, key_pem = alpn_certificate("acmedash.invalid", "none")
        path = Path(self._folder.name) / "default.pem"
        atomic_write(path, cert_pem + key_pem, mode=0o600)
        return str(path)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # The handshake is the whole validation; the CA closes the connection after it.
        await reader.read(1)

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        cert_pem, key_pem = alpn_certificate(identifier.value, key_auth)
        self._contexts[server_name(identifier)] = self._context_for(cert_pem, key_pem)
        await self.start()

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self._contexts.pop(server_name(identifier), None)

    async def close(self) -> None:
        await self._listener.close()
        self._folder.cleanup()
