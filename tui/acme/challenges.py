"""Answering challenges (RFC 8555 §8.3 http-01, §8.4 dns-01, RFC 8737 tls-alpn-01).

A Solver presents a challenge before the client responds and cleans up afterwards, whatever
the outcome. Responders here are small asyncio servers: they run in the same event loop as the
client, so nothing blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import errno
import hashlib
import os
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

from tui.acme import jose
from tui.acme.encoding import b64url
from tui.acme.errors import InputError
from tui.acme.fileio import atomic_write
from tui.acme.models import Identifier

HTTP01_PREFIX = "/.well-known/acme-challenge/"
ACME_TLS_ALPN = "acme-tls/1"
ACME_IDENTIFIER_OID = ObjectIdentifier("1.3.6.1.5.5.7.1.31")  # RFC 8737 §3


def key_authorization(token: str, account_key: jose.PrivateKey) -> str:
    """RFC 8555 §8.1: token "." base64url(JWK thumbprint of the account key)."""
    return f"{token}.{jose.thumbprint(jose.public_jwk(account_key))}"


def dns01_name(identifier: Identifier) -> str:
    """§8.4: the TXT record lives at _acme-challenge.<domain>, wildcards without the `*.`."""
    return f"_acme-challenge.{identifier.value.removeprefix('*.')}"


def dns01_value(key_auth: str) -> str:
    return b64url(hashlib.sha256(key_auth.encode("ascii")).digest())


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
BIND_RETRY_SECONDS = 3.0


async def _listen(
    handler: Handler, host: str, port: int, context: ssl.SSLContext | None, what: str
) -> asyncio.Server:
    """Start a responder, retrying for a moment when the port is still busy: right after an
    earlier responder on the same port stopped (a renewal straight after an issuance) the
    kernel can refuse the bind for a short while."""
    deadline = asyncio.get_running_loop().time() + BIND_RETRY_SECONDS
    while True:
        try:
            return await asyncio.start_server(handler, host, port, ssl=context)
        except OSError as exc:
            busy = exc.errno == errno.EADDRINUSE
            if not busy or asyncio.get_running_loop().time() > deadline:
                raise InputError(
                    f"cannot listen on {host}:{port} for {what} ({exc.strerror})"
                ) from None
            await asyncio.sleep(0.1)


_NOT_A_REQUEST = (
    TimeoutError,
    ConnectionError,
    asyncio.IncompleteReadError,
    asyncio.LimitOverrunError,
)


class Solver(Protocol):
    challenge_type: str

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None: ...

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None: ...

    async def close(self) -> None: ...


class Http01Responder:
    """Serves /.well-known/acme-challenge/<token> over plain HTTP (§8.3). Answers every
    Host, since the CA connects to whatever address the name resolves to."""

    challenge_type = "http-01"

    def __init__(self, host: str = "0.0.0.0", port: int = 80) -> None:  # noqa: S104 - CAs connect from outside
        self.host = host
        self.port = port
        self._tokens: dict[str, str] = {}
        self._server: asyncio.Server | None = None
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        # Authorizations are presented concurrently: only the first may bind.
        async with self._starting:
            if self._server is None:
                self._server = await _listen(self._handle, self.host, self.port, None, "http-01")

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                head = await reader.readuntil(b"\r\n\r\n")
            parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            path = parts[1] if len(parts) >= 2 else ""
            answer = (
                self._tokens.get(path.removeprefix(HTTP01_PREFIX))
                if path.startswith(HTTP01_PREFIX)
                else None
            )
            if answer is None:
                status, body = "404 Not Found", b"not found\n"
            else:
                status, body = "200 OK", answer.encode("ascii")
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (
            TimeoutError,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            pass  # not a request we can answer; the CA retries or reports it
        finally:
            writer.close()

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        await self.start()
        self._tokens[token] = key_auth

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self._tokens.pop(token, None)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


class WebrootSolver:
    """Writes the http-01 file where an existing web server serves it from."""

    challenge_type = "http-01"

    def __init__(self, webroot: Path) -> None:
        if not webroot.is_dir():
            raise InputError(f"{webroot}: webroot is not a directory")
        self.folder = webroot / HTTP01_PREFIX.strip("/")

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        try:
            atomic_write(self.folder / token, key_auth.encode("ascii"), mode=0o644)
        except OSError as exc:
            raise InputError(
                f"{self.folder}: cannot write challenge file ({exc.strerror})"
            ) from None

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / token).unlink()

    async def close(self) -> None:
        return None


class DnsHookSolver:
    """Runs `COMMAND set NAME VALUE` before and `COMMAND clear NAME VALUE` after, with the same
    values in ACME_DNS_NAME / ACME_DNS_VALUE / ACME_DOMAIN: the hook talks to the DNS provider."""

    challenge_type = "dns-01"

    def __init__(self, command: str, propagation_wait: float = 0.0) -> None:
        self.command = command
        self.propagation_wait = propagation_wait

    async def _run(self, action: str, identifier: Identifier, key_auth: str) -> None:
        name, value = dns01_name(identifier), dns01_value(key_auth)
        env = {
            **os.environ,
            "ACME_DNS_NAME": name,
            "ACME_DNS_VALUE": value,
            "ACME_DOMAIN": identifier.value,
        }
        process = await asyncio.create_subprocess_shell(
            f"{self.command} {action} {name} {value}",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            text = output.decode(errors="replace").strip().splitlines()
            raise InputError(
                f"dns hook `{action}` for {name} exited {process.returncode}"
                + (f": {text[-1]}" if text else "")
            )

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        await self._run("set", identifier, key_auth)
        if self.propagation_wait:
            await asyncio.sleep(self.propagation_wait)

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        await self._run("clear", identifier, key_auth)

    async def close(self) -> None:
        return None


def alpn_certificate(domain: str, key_auth: str) -> tuple[bytes, bytes]:
    """RFC 8737 §3: a self-signed certificate for `domain` with the critical acmeIdentifier
    extension holding SHA-256(key authorization). Returns (cert PEM, key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    digest = hashlib.sha256(key_auth.encode("ascii")).digest()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
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
    certificate for that name (RFC 8737 §3)."""

    challenge_type = "tls-alpn-01"

    def __init__(self, host: str = "0.0.0.0", port: int = 443) -> None:  # noqa: S104 - CAs connect from outside
        self.host = host
        self.port = port
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._server: asyncio.Server | None = None
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

    def _pick(self, sock: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
        context = self._contexts.get((server_name or "").lower())
        if context is not None:
            sock.context = context

    async def start(self) -> None:
        async with self._starting:  # authorizations are presented concurrently
            if self._server is not None:
                return
            default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            default.set_alpn_protocols([ACME_TLS_ALPN])
            default.load_cert_chain(self._write_default())
            default.sni_callback = self._pick
            self._server = await _listen(self._handle, self.host, self.port, default, "tls-alpn-01")

    def _write_default(self) -> str:
        cert_pem, key_pem = alpn_certificate("acmedash.invalid", "none")
        path = Path(self._folder.name) / "default.pem"
        atomic_write(path, cert_pem + key_pem, mode=0o600)
        return str(path)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # The handshake is the whole validation; the CA closes the connection after it.
        with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
            async with asyncio.timeout(10):
                await reader.read(1)
        writer.close()

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        cert_pem, key_pem = alpn_certificate(identifier.value, key_auth)
        self._contexts[identifier.value.lower()] = self._context_for(cert_pem, key_pem)
        await self.start()

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self._contexts.pop(identifier.value.lower(), None)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._folder.cleanup()
