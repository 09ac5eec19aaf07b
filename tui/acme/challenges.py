"""Answering challenges (RFC 8555 §8.3 http-01, §8.4 dns-01; tls-alpn-01 is tls_alpn.py).

A Solver presents a challenge before the client responds and cleans up afterwards, whatever
the outcome. Responders are small asyncio servers (listener.py): they run in the same event
loop as the client, so nothing blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import Protocol, runtime_checkable

from tui.acme import jose
from tui.acme.encoding import b64url
from tui.acme.errors import InputError, ProtocolError
from tui.acme.hooks import run_hook
from tui.acme.listener import Listener
from tui.acme.models import Identifier

HTTP01_PREFIX = "/.well-known/acme-challenge/"
# RFC 8555 §8.1, §8.3: a token is base64url without padding. 255 characters at most, so that it
# is a valid file name too (NAME_MAX); real tokens are 43.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,255}")
# A request head the http-01 responder reads, at most: the CA's GET is a few hundred bytes.
HTTP01_HEAD_LIMIT = 8192


def check_token(token: str) -> str:
    """The token, if it is base64url (§8.1); a ProtocolError otherwise. A token becomes a file
    name (webroot) and a URL path (responder): `../x` or `a/b` must never get that far."""
    if _TOKEN.fullmatch(token) is None:
        shown = repr(token[:60]) + ("..." if len(token) > 60 else "")
        raise ProtocolError(f"the CA sent a challenge token that is not base64url: {shown}")
    return token


def key_authorization(token: str, account_key: jose.PrivateKey) -> str:
    """RFC 8555 §8.1: token "." base64url(JWK thumbprint of the account key)."""
    return f"{token}.{jose.thumbprint(jose.public_jwk(account_key))}"


def dns01_name(identifier: Identifier) -> str:
    """§8.4: the TXT record lives at _acme-challenge.<domain>, wildcards without the `*.`."""
    return f"_acme-challenge.{identifier.value.removeprefix('*.')}"


def dns01_value(key_auth: str) -> str:
    return b64url(hashlib.sha256(key_auth.encode("ascii")).digest())


class Solver(Protocol):
    challenge_type: str

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None: ...

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None: ...

    async def close(self) -> None: ...


@runtime_checkable
class CheckedFirst(Protocol):
    """A solver that can find a mistake in its setup (an unreachable DNS server, a zone it
    does not hold) before the order: found after it, the order is made for nothing and counts
    against the CA's limits."""

    async def check(self, identifiers: list[Identifier]) -> None: ...


class Http01Responder:
    """Serves /.well-known/acme-challenge/<token> over plain HTTP (§8.3). Answers every
    Host, since the CA connects to whatever address the name resolves to; answers only a GET
    for a token it presents, and reads at most HTTP01_HEAD_LIMIT bytes of a request."""

    challenge_type = "http-01"

    def __init__(self, host: str = "0.0.0.0", port: int = 80) -> None:  # noqa: S104 - CAs connect from outside
        self.host = host
        self.port = port
        self._tokens: dict[str, str] = {}
        self._listener = Listener(self._handle, "http-01")
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        # Authorizations are presented concurrently: only the first may bind.
        async with self._starting:
            if not self._listener.listening:
                await self._listener.listen(self.host, self.port, limit=HTTP01_HEAD_LIMIT)

    def _answer(self, request_line: bytes) -> str | None:
        parts = request_line.decode("latin-1").split()
        if len(parts) != 3 or parts[0] != "GET" or not parts[1].startswith(HTTP01_PREFIX):
            return None
        return self._tokens.get(parts[1].removeprefix(HTTP01_PREFIX))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        answer = self._answer(head.split(b"\r\n", 1)[0])
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

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        await self.start()
        self._tokens[check_token(token)] = key_auth

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        self._tokens.pop(token, None)

    async def close(self) -> None:
        await self._listener.close()


class WebrootSolver:
    """Writes the http-01 file where an existing web server serves it from.

    Every step goes through directory file descriptors opened with O_NOFOLLOW below the
    webroot, so nothing is written outside WEBROOT/.well-known/acme-challenge/: not through
    a token (checked to be base64url, so a plain file name), and not through a symlinked
    `.well-known` or `acme-challenge` either (whoever can write the webroot could point it at
    /root/.ssh). Such a symlink is refused with a clear message; the webroot itself, given by
    the user, may be a symlink."""

    challenge_type = "http-01"

    def __init__(self, webroot: Path) -> None:
        if not webroot.is_dir():
            raise InputError(f"{webroot}: webroot is not a directory")
        self.webroot = webroot
        self.folder = webroot / HTTP01_PREFIX.strip("/")

    def _open_folder(self) -> int:
        """A descriptor of the challenge folder, made if missing, reached without symlinks."""
        fd = os.open(self.webroot, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in HTTP01_PREFIX.strip("/").split("/"):
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
                try:
                    inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise InputError(
                            f"{self.webroot}: {part} is a symlink or not a folder; "
                            "refusing to write challenge files through it"
                        ) from None
                    raise
                os.close(fd)
                fd = inner
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _write(self, token: str, data: bytes) -> None:
        folder = self._open_folder()
        tmp = f".{token}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            fd = os.open(tmp, flags, 0o644, dir_fd=folder)
            try:
                os.fchmod(fd, 0o644)  # whatever the umask: the web server must read it
                os.write(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, token, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=folder)
            raise
        finally:
            os.close(folder)

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        check_token(token)
        try:
            self._write(token, key_auth.encode("ascii"))
        except OSError as exc:
            raise InputError(
                f"{self.folder}: cannot write challenge file ({exc.strerror})"
            ) from None

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        check_token(token)
        try:
            folder = self._open_folder()
        except FileNotFoundError:
            return
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(token, dir_fd=folder)
        finally:
            os.close(folder)

    async def close(self) -> None:
        return None


class DnsHookSolver:
    """Runs `COMMAND set NAME VALUE` before and `COMMAND clear NAME VALUE` after, with the same
    values in ACME_DNS_NAME / ACME_DNS_VALUE / ACME_DOMAIN: the hook talks to the DNS provider.
    COMMAND is the user's shell command line; NAME and VALUE (derived from what the CA sent)
    are passed as arguments, never pasted into it (hooks.run_hook)."""

    challenge_type = "dns-01"

    def __init__(self, command: str, propagation_wait: float = 0.0) -> None:
        self.command = command
        self.propagation_wait = propagation_wait

    async def _run(self, action: str, identifier: Identifier, key_auth: str) -> None:
        name, value = dns01_name(identifier), dns01_value(key_auth)
        env = {"ACME_DNS_NAME": name, "ACME_DNS_VALUE": value, "ACME_DOMAIN": identifier.value}
        result = await run_hook(self.command, "acmedash-dns-hook", [action, name, value], env)
        if result.returncode != 0:
            raise InputError(
                f"dns hook `{action}` for {name} exited {result.returncode}"
                + (f": {result.last_line}" if result.last_line else "")
            )

    async def present(self, identifier: Identifier, token: str, key_auth: str) -> None:
        await self._run("set", identifier, key_auth)
        if self.propagation_wait:
            await asyncio.sleep(self.propagation_wait)

    async def cleanup(self, identifier: Identifier, token: str, key_auth: str) -> None:
        await self._run("clear", identifier, key_auth)

    async def close(self) -> None:
        return None
